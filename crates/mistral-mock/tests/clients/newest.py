"""The newest official Python client (`mistralai` 3.x) against mistral-mock, step by step.

Run: MISTRAL_BASE_URL=http://127.0.0.1:8080 python newest.py
Prints one line per step (`ok NAME` or `FAIL NAME: why`) and exits 1 if any step failed.
"""

import base64
import io
import json
import os
import time
import urllib.request

from mistralai.client import Mistral

from steps import finish, step

BASE = os.environ["MISTRAL_BASE_URL"]
client = Mistral(api_key="official-client-key", server_url=BASE)


USER = [{"role": "user", "content": "What is the best French cheese?"}]
TRAINING = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'


def events(stream):
    """Every event of a stream, each decoded to a type the client knows."""
    got = list(stream)
    assert got, "no event streamed"
    unknown = [e for e in got if getattr(e.data, "is_unknown", False)]
    assert not unknown, unknown
    # A named event (`event: <type>`) carries data of that same type.
    mismatched = [e for e in got if hasattr(e, "event") and e.event != getattr(e.data, "type", e.event)]
    assert not mismatched, mismatched
    return got


def raw(method, path, body=None):
    """A request the client has no method for (the retired fine-tuning jobs)."""
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer official-client-key",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


@step("models.list")
def _():
    models = client.models.list()
    assert any(m.id == "mistral-small-latest" for m in models.data), models


@step("models.retrieve")
def _():
    client.models.retrieve(model_id="mistral-small-latest")


@step("chat.complete")
def _():
    r = client.chat.complete(model="mistral-small-latest", messages=USER, max_tokens=16)
    assert r.choices[0].message.content, r


@step("chat.complete.tools")
def _():
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    r = client.chat.complete(model="mistral-large-latest", messages=[{"role": "user", "content": "Weather in Paris?"}],
                             tools=tools, tool_choice="any")
    assert r.choices[0].message.tool_calls, r


@step("chat.stream")
def _():
    text = ""
    for event in client.chat.stream(model="mistral-small-latest", messages=USER, max_tokens=16):
        text += event.data.choices[0].delta.content or ""
    assert text, "no text streamed"


@step("fim.complete")
def _():
    r = client.fim.complete(model="codestral-latest", prompt="def add(a, b):", suffix="print(add(1, 2))")
    assert r.choices, r


@step("fim.stream")
def _():
    n = sum(1 for _ in client.fim.stream(model="codestral-latest", prompt="def add(a, b):"))
    assert n > 0


@step("embeddings.create")
def _():
    r = client.embeddings.create(model="mistral-embed", inputs=["Comté", "Brie"])
    assert len(r.data) == 2, r


state = {}


@step("files.upload")
def _():
    data = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'
    f = client.files.upload(file={"file_name": "train.jsonl", "content": data}, purpose="fine-tune")
    state["file"] = f.id


@step("files.list")
def _():
    r = client.files.list()
    assert any(f.id == state.get("file") for f in r.data), r


@step("files.retrieve")
def _():
    client.files.retrieve(file_id=state["file"])


@step("files.list.filters")
def _():
    hit = client.files.list(purpose="fine-tune", search="train", page=0, page_size=10)
    assert any(f.id == state["file"] for f in hit.data), hit
    miss = client.files.list(purpose="batch")
    assert all(f.id != state["file"] for f in miss.data), miss


@step("files.delete")
def _():
    client.files.delete(file_id=state["file"])


@step("ocr.process")
def _():
    client.ocr.process(model="mistral-ocr-latest", document={"type": "document_url", "document_url": "https://example.com/a.pdf"})
    content = b"BT /F1 12 Tf 72 720 Td (Hello from page one.) Tj ET"
    pdf = (b"%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
           b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
           b"4 0 obj << /Length %d >>\nstream\n%s\nendstream\nendobj\n%%%%EOF\n" % (len(content), content))
    url = "data:application/pdf;base64," + base64.b64encode(pdf).decode()
    r = client.ocr.process(model="mistral-ocr-latest", document={"type": "document_url", "document_url": url})
    assert [p.markdown for p in r.pages] == ["Hello from page one."], r
    assert r.pages[0].dimensions.width == 1700 and r.usage_info.pages_processed == 1, r


@step("classifiers.moderate")
def _():
    r = client.classifiers.moderate(model="mistral-moderation-latest", inputs=["Hello", "I will kill you, this is a threat."])
    assert not any(r.results[0].categories.values()), r
    assert r.results[1].categories["violence_and_threats"], r
    assert r.results[1].category_scores["violence_and_threats"] > r.results[0].category_scores["violence_and_threats"], r


@step("batch.jobs.list")
def _():
    client.batch.jobs.list()


@step("beta.agents.list")
def _():
    client.beta.agents.list()


@step("beta.libraries.list")
def _():
    client.beta.libraries.list()


@step("beta.conversations.list")
def _():
    client.beta.conversations.list()


def trained():
    """A fine-tuned model (the client has no fine-tuning jobs any more: trained over plain HTTP)."""
    if "model" not in state:
        f = client.files.upload(file={"file_name": "tune.jsonl", "content": TRAINING}, purpose="fine-tune")
        job = raw("POST", "/v1/fine_tuning/jobs", {"model": "open-mistral-7b", "training_files": [f.id],
                                                   "hyperparameters": {"training_steps": 2, "learning_rate": 1e-4}})
        deadline = time.time() + 30
        while job["status"] != "SUCCESS":
            assert job["status"] not in ("FAILED", "CANCELLED") and time.time() < deadline, job["status"]
            time.sleep(0.2)
            job = raw("GET", f"/v1/fine_tuning/jobs/{job['id']}")
        state["model"], state["tune_file"] = job["fine_tuned_model"], f.id
    return state["model"]


@step("models.update")
def _():
    r = client.models.update(model_id=trained(), name="renamed", description="a support bot")
    assert r.id == trained() and r.name == "renamed" and r.description == "a support bot", r


@step("models.archive")
def _():
    r = client.models.archive(model_id=trained())
    assert r.id == trained() and r.archived is True, r


@step("models.unarchive")
def _():
    r = client.models.unarchive(model_id=trained())
    assert r.id == trained() and r.archived is False, r


@step("models.delete")
def _():
    model = trained()
    assert any(m.id == model for m in client.models.list().data)
    r = client.models.delete(model_id=model)
    assert r.id == model and r.deleted, r
    assert all(m.id != model for m in client.models.list().data)
    client.files.delete(file_id=state["tune_file"])


CONTENT = b'{"custom_id": "1", "body": {"messages": [{"role": "user", "content": "Hi"}]}}\n' * 50


@step("files.get_signed_url")
def _():
    f = client.files.upload(file={"file_name": "dl.jsonl", "content": CONTENT}, purpose="batch")
    state["download"] = f.id
    r = client.files.get_signed_url(file_id=f.id, expiry=2)
    assert r.url.startswith("http"), r


@step("files.download")
def _():
    r = client.files.download(file_id=state["download"])
    assert r.read() == CONTENT
    client.files.delete(file_id=state["download"])


BATCH = (b'{"custom_id": "cheese", "body": {"messages": [{"role": "user", "content": "Best French cheese?"}]}}\n'
         b'{"custom_id": "wine", "body": {"messages": [{"role": "user", "content": "Best French wine?"}]}}\n')


@step("batch.jobs.create")
def _():
    f = client.files.upload(file={"file_name": "batch.jsonl", "content": BATCH}, purpose="batch")
    job = client.batch.jobs.create(input_files=[f.id], endpoint="/v1/chat/completions", model="mistral-small-latest",
                                   metadata={"run": "official"})
    assert job.status == "QUEUED" and job.total_requests == 2 and job.input_files == [f.id], job
    state["batch"], state["batch_file"] = job.id, f.id


@step("batch.jobs.get")
def _():
    deadline = time.time() + 30
    job = client.batch.jobs.get(job_id=state["batch"])
    while job.status != "SUCCESS":
        assert job.status in ("QUEUED", "RUNNING") and time.time() < deadline, job.status
        time.sleep(0.1)
        job = client.batch.jobs.get(job_id=state["batch"])
    assert (job.completed_requests, job.succeeded_requests, job.failed_requests) == (2, 2, 0), job
    assert job.output_file and not job.error_file, job
    lines = [json.loads(line) for line in client.files.download(file_id=job.output_file).read().splitlines()]
    assert [line["custom_id"] for line in lines] == ["cheese", "wine"], lines
    assert all(line["response"]["status_code"] == 200 and line["error"] is None for line in lines), lines
    assert lines[0]["response"]["body"]["choices"][0]["message"]["content"], lines
    assert any(j.id == state["batch"] for j in client.batch.jobs.list(status=["SUCCESS"], model="mistral-small-latest").data)


@step("batch.jobs.cancel")
def _():
    # Long enough (10 simulated seconds a request) to be cancelled while it runs.
    requests = [{"custom_id": str(i), "body": {"input": "x"}} for i in range(2000)]
    job = client.batch.jobs.create(requests=requests, endpoint="/v1/embeddings", model="mistral-embed")
    r = client.batch.jobs.cancel(job_id=job.id)
    assert r.id == job.id and r.status == "CANCELLATION_REQUESTED", r
    assert r.completed_requests < r.total_requests == 2000, r


@step("batch.jobs.delete")
def _():
    r = client.batch.jobs.delete(job_id=state["batch"])
    assert r.id == state["batch"] and r.deleted, r
    client.files.delete(file_id=state["batch_file"])


@step("classifiers.moderate_chat")
def _():
    client.classifiers.moderate_chat(model="mistral-moderation-latest", inputs=USER)


@step("classifiers.classify")
def _():
    client.classifiers.classify(model="mistral-moderation-latest", inputs=["Hello"])


@step("classifiers.classify_chat")
def _():
    client.classifiers.classify_chat(model="mistral-moderation-latest", input=[{"messages": USER}])


def wav_from_text(text):
    """A WAV whose samples carry `text` (mistral_mock::audio::wav_from_text): 16 kHz mono 16-bit,
    each byte held for 1000 samples at byte * 128, marked by an `mtxt` chunk."""
    import struct
    data = b"".join(struct.pack("<h", b * 128) * 1000 for b in text.encode())
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    marker = b"mistral-mock text" + struct.pack("<I", 1000)
    chunks = b"".join(cid + struct.pack("<I", len(c)) + c + b"\0" * (len(c) % 2)
                      for cid, c in [(b"fmt ", fmt), (b"mtxt", marker), (b"data", data)])
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


SAID = "Bonjour et bienvenue."


@step("audio.transcriptions.complete")
def _():
    r = client.audio.transcriptions.complete(model="voxtral-mini-latest", file={"file_name": "a.wav", "content": wav_from_text(SAID)},
                                             timestamp_granularities=["segment"])
    assert r.text == SAID and r.language == "fr" and r.usage.prompt_audio_seconds == 2, r
    assert [s.text for s in r.segments] == [SAID], r
    other = client.audio.transcriptions.complete(model="voxtral-mini-latest", file={"file_name": "a.mp3", "content": b"ID3"})
    assert other.text, other


@step("audio.transcriptions.stream")
def _():
    got = events(client.audio.transcriptions.stream(model="voxtral-mini-latest",
                                                     file={"file_name": "a.wav", "content": wav_from_text(SAID)}, language="fr"))
    assert all(e.event.startswith("transcription.") for e in got), got
    assert got[0].event == "transcription.language" and got[-1].event == "transcription.done", got
    assert "".join(e.data.text for e in got if e.event == "transcription.text.delta") == SAID, got
    assert got[-1].data.text == SAID, got


@step("audio.speech.complete")
def _():
    r = client.audio.speech.complete(input=SAID, model="voxtral-mini-tts-latest", response_format="wav")
    assert base64.b64decode(r.audio_data) == wav_from_text(SAID), r


@step("audio.speech.stream")
def _():
    got = events(client.audio.speech.complete(input="Bonjour et bienvenue.", model="voxtral-mini-tts-latest",
                                              response_format="pcm", stream=True))
    assert any(getattr(e.data, "audio_data", None) for e in got), got


@step("audio.voices.list")
def _():
    client.audio.voices.list()


@step("audio.voices.create")
def _():
    sample = base64.b64encode(b"RIFF\x24\x00\x00\x00WAVEfmt ").decode()
    v = client.audio.voices.create(name="narrator", languages=["fr", "en"], gender="female", age=40,
                                   tags=["calm"], description="A calm narrator", sample_audio=sample,
                                   sample_filename="narrator.wav")
    assert v.id and v.name and v.type, v
    state["voice"] = v.id


@step("audio.voices.get")
def _():
    v = client.audio.voices.get(voice_id=state["voice"])
    assert v.id and v.name, v


@step("audio.voices.update")
def _():
    v = client.audio.voices.update(voice_id=state["voice"], name="storyteller", tags=["calm", "warm"])
    assert v.id and v.name, v


@step("audio.voices.get_sample_audio")
def _():
    r = client.audio.voices.get_sample_audio(voice_id=state["voice"])
    assert r.status_code == 200 and r.read(), r


@step("audio.voices.delete")
def _():
    v = client.audio.voices.delete(voice_id=state["voice"])
    assert v.id, v


@step("beta.agents.create")
def _():
    a = client.beta.agents.create(model="mistral-small-latest", name="helper", instructions="Be brief.",
                                  description="made by newest.py")
    assert a.id and a.version == 0 and a.name == "helper", a
    state["agent"] = a.id


@step("agents.complete")
def _():
    r = client.agents.complete(agent_id=state["agent"], messages=USER)
    assert r.choices and r.choices[0].message.content, r


@step("agents.stream")
def _():
    got = events(client.agents.stream(agent_id=state["agent"], messages=USER, max_tokens=16))
    assert any(e.data.choices for e in got), got


@step("beta.agents.get")
def _():
    a = client.beta.agents.get(agent_id=state["agent"])
    assert a.id == state["agent"], a


@step("beta.agents.update")
def _():
    a = client.beta.agents.update(agent_id=state["agent"], name="renamed")
    assert a.name == "renamed" and a.version == 1, a


@step("beta.agents.list_versions")
def _():
    versions = client.beta.agents.list_versions(agent_id=state["agent"])
    assert sorted(v.version for v in versions) == [0, 1], versions


@step("beta.agents.list_pages")
def _():
    page = client.beta.agents.list_pages(page_size=10, name="renamed")
    assert page is not None and [a.id for a in page.result.data] == [state["agent"]], page


@step("beta.agents.get_version")
def _():
    a = client.beta.agents.get_version(agent_id=state["agent"], version="0")
    assert a.id == state["agent"] and a.version == 0 and a.name == "helper", a


@step("beta.agents.update_version")
def _():
    a = client.beta.agents.update_version(agent_id=state["agent"], version=0)
    assert a.id == state["agent"] and a.version == 0, a


@step("beta.agents.create_version_alias")
def _():
    r = client.beta.agents.create_version_alias(agent_id=state["agent"], alias="production", version=1)
    assert r.alias == "production" and r.version == 1, r


@step("beta.agents.list_version_aliases")
def _():
    r = client.beta.agents.list_version_aliases(agent_id=state["agent"])
    assert [a.alias for a in r] == ["production"], r


@step("beta.agents.delete_version_alias")
def _():
    assert client.beta.agents.delete_version_alias(agent_id=state["agent"], alias="production") is None


@step("beta.conversations.start")
def _():
    r = client.beta.conversations.start(inputs="Hello", agent_id=state["agent"])
    assert r.conversation_id and r.outputs, r
    state["conversation"] = r.conversation_id


@step("beta.conversations.append")
def _():
    r = client.beta.conversations.append(conversation_id=state["conversation"], inputs="And then?")
    assert r.conversation_id == state["conversation"] and r.outputs, r


@step("beta.conversations.get_history")
def _():
    h = client.beta.conversations.get_history(conversation_id=state["conversation"])
    assert len(h.entries) == 4, h
    state["entry"] = h.entries[0].id


@step("beta.conversations.get_messages")
def _():
    m = client.beta.conversations.get_messages(conversation_id=state["conversation"])
    assert len(m.messages) == 4, m


@step("beta.conversations.get")
def _():
    c = client.beta.conversations.get(conversation_id=state["conversation"])
    assert c.id == state["conversation"] and c.created_at, c


@step("beta.conversations.restart")
def _():
    r = client.beta.conversations.restart(conversation_id=state["conversation"], from_entry_id=state["entry"],
                                          inputs="Try again")
    assert r.conversation_id and r.outputs, r
    state["restarted"] = r.conversation_id


@step("beta.conversations.start_stream")
def _():
    got = events(client.beta.conversations.start_stream(inputs="Hello", model="mistral-small-latest", store=False))
    assert got[0].event == "conversation.response.started" and got[0].data.conversation_id, got
    assert got[-1].event == "conversation.response.done", got


@step("beta.conversations.append_stream")
def _():
    got = events(client.beta.conversations.append_stream(conversation_id=state["conversation"], inputs="And then?"))
    assert got[0].event == "conversation.response.started" and got[0].data.conversation_id, got


@step("beta.conversations.restart_stream")
def _():
    got = events(client.beta.conversations.restart_stream(conversation_id=state["conversation"],
                                                          from_entry_id=state["entry"], inputs="Try again",
                                                          store=False))
    assert got[0].event == "conversation.response.started" and got[0].data.conversation_id, got


@step("beta.conversations.delete")
def _():
    for conversation in (state["conversation"], state["restarted"]):
        assert client.beta.conversations.delete(conversation_id=conversation) is None


@step("beta.agents.delete")
def _():
    client.beta.agents.delete(agent_id=state["agent"])


@step("beta.libraries.create")
def _():
    lib = client.beta.libraries.create(name="docs")
    assert lib.id and lib.name == "docs" and lib.nb_documents == 0, lib
    state["library"] = lib.id


@step("beta.libraries.get")
def _():
    lib = client.beta.libraries.get(library_id=state["library"])
    assert lib.id == state["library"], lib


@step("beta.libraries.update")
def _():
    lib = client.beta.libraries.update(library_id=state["library"], name="handbook", description="The team handbook")
    assert lib.name == "handbook" and lib.description == "The team handbook", lib


@step("beta.libraries.libraries_update_v1")
def _():
    lib = client.beta.libraries.libraries_update_v1(library_id=state["library"], name="handbook 2")
    assert lib.name == "handbook 2", lib


@step("beta.libraries.documents.upload")
def _():
    d = client.beta.libraries.documents.upload(library_id=state["library"],
                                               file={"file_name": "a.txt", "content": b"Comte is made in the Jura."})
    assert d.id and d.name == "a.txt", d
    state["document"] = d.id


@step("beta.libraries.documents.list")
def _():
    docs = client.beta.libraries.documents.list(library_id=state["library"])
    assert [d.id for d in docs.data] == [state["document"]], docs


@step("beta.libraries.documents.status")
def _():
    for _ in range(100):
        s = client.beta.libraries.documents.status(library_id=state["library"], document_id=state["document"])
        if s.process_status == "done":
            break
        time.sleep(0.05)
    assert s.process_status == "done", s


@step("beta.libraries.documents.text_content")
def _():
    t = client.beta.libraries.documents.text_content(library_id=state["library"], document_id=state["document"])
    assert t.text == "Comte is made in the Jura.", t


@step("beta.libraries.documents.get")
def _():
    d = client.beta.libraries.documents.get(library_id=state["library"], document_id=state["document"])
    assert d.id == state["document"] and d.library_id == state["library"], d


@step("beta.libraries.documents.update")
def _():
    d = client.beta.libraries.documents.update(library_id=state["library"], document_id=state["document"],
                                               name="cheeses.txt", attributes={"region": "Jura", "year": 2026})
    assert d.name == "cheeses.txt", d


@step("beta.libraries.documents.libraries_documents_update_v1")
def _():
    d = client.beta.libraries.documents.libraries_documents_update_v1(library_id=state["library"],
                                                                      document_id=state["document"], name="c.txt")
    assert d.name == "c.txt", d


@step("beta.libraries.documents.get_signed_url")
def _():
    url = client.beta.libraries.documents.get_signed_url(library_id=state["library"], document_id=state["document"])
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read() == b"Comte is made in the Jura."


@step("beta.libraries.documents.extracted_text_signed_url")
def _():
    url = client.beta.libraries.documents.extracted_text_signed_url(library_id=state["library"],
                                                                    document_id=state["document"])
    assert isinstance(url, str) and url.startswith("http"), url


@step("beta.libraries.documents.reprocess")
def _():
    assert client.beta.libraries.documents.reprocess(library_id=state["library"],
                                                     document_id=state["document"]) is None


@step("beta.libraries.documents.delete")
def _():
    assert client.beta.libraries.documents.delete(library_id=state["library"], document_id=state["document"]) is None


@step("beta.libraries.accesses.list")
def _():
    client.beta.libraries.accesses.list(library_id=state["library"])


MEMBER = "0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b"


@step("beta.libraries.accesses.update_or_create")
def _():
    s = client.beta.libraries.accesses.update_or_create(library_id=state["library"], level="Viewer",
                                                        share_with_uuid=MEMBER, share_with_type="User")
    assert s.library_id == state["library"] and s.role and s.share_with_type, s


@step("beta.libraries.accesses.delete")
def _():
    s = client.beta.libraries.accesses.delete(library_id=state["library"], share_with_uuid=MEMBER,
                                              share_with_type="User")
    assert s is None or s.library_id, s


@step("beta.libraries.delete")
def _():
    client.beta.libraries.delete(library_id=state["library"])


finish()
