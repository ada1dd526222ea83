"""The newest official Python client (`mistralai` 3.x) against mistral-mock, step by step.

Run: MISTRAL_BASE_URL=http://127.0.0.1:8080 python newest.py
Prints one line per step (`ok NAME` or `FAIL NAME: why`) and exits 1 if any step failed.
"""

import io
import os

from mistralai.client import Mistral

from steps import finish, step

BASE = os.environ["MISTRAL_BASE_URL"]
client = Mistral(api_key="official-client-key", server_url=BASE)


USER = [{"role": "user", "content": "What is the best French cheese?"}]


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


@step("files.delete")
def _():
    client.files.delete(file_id=state["file"])


@step("ocr.process")
def _():
    client.ocr.process(model="mistral-ocr-latest", document={"type": "document_url", "document_url": "https://example.com/a.pdf"})


@step("classifiers.moderate")
def _():
    client.classifiers.moderate(model="mistral-moderation-latest", inputs=["Hello"])


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


# The other groups: the mock answers these from the spec's examples, which the client must read.
U = "497f6eca-6276-4993-bfeb-53cbbbba6f09"


@step("models.update")
def _():
    client.models.update(model_id="ft:open-mistral-7b:587a6b29:20240514:7e773925", name="renamed")


@step("models.archive")
def _():
    client.models.archive(model_id="ft:open-mistral-7b:587a6b29:20240514:7e773925")


@step("models.unarchive")
def _():
    client.models.unarchive(model_id="ft:open-mistral-7b:587a6b29:20240514:7e773925")


@step("files.get_signed_url")
def _():
    client.files.get_signed_url(file_id=U)


@step("files.download")
def _():
    client.files.download(file_id=U)


@step("batch.jobs.create")
def _():
    client.batch.jobs.create(input_files=[U], endpoint="/v1/chat/completions", model="mistral-small-latest")


@step("batch.jobs.get")
def _():
    client.batch.jobs.get(job_id=U)


@step("batch.jobs.cancel")
def _():
    client.batch.jobs.cancel(job_id=U)


@step("classifiers.moderate_chat")
def _():
    client.classifiers.moderate_chat(model="mistral-moderation-latest", inputs=USER)


@step("classifiers.classify")
def _():
    client.classifiers.classify(model="mistral-moderation-latest", inputs=["Hello"])


@step("classifiers.classify_chat")
def _():
    client.classifiers.classify_chat(model="mistral-moderation-latest", input=[{"messages": USER}])


@step("audio.transcriptions.complete")
def _():
    client.audio.transcriptions.complete(model="voxtral-mini-latest", file={"file_name": "a.mp3", "content": b"ID3"})


@step("audio.voices.list")
def _():
    client.audio.voices.list()


@step("agents.complete")
def _():
    client.agents.complete(agent_id="ag_0123", messages=USER)


@step("beta.agents.create")
def _():
    client.beta.agents.create(model="mistral-small-latest", name="helper")


@step("beta.agents.get")
def _():
    client.beta.agents.get(agent_id="ag_0123")


@step("beta.agents.update")
def _():
    client.beta.agents.update(agent_id="ag_0123", name="renamed")


@step("beta.agents.list_versions")
def _():
    client.beta.agents.list_versions(agent_id="ag_0123")


@step("beta.agents.delete")
def _():
    client.beta.agents.delete(agent_id="ag_0123")


@step("beta.conversations.start")
def _():
    client.beta.conversations.start(inputs="Hello", model="mistral-small-latest")


@step("beta.conversations.append")
def _():
    client.beta.conversations.append(conversation_id="conv_0123", inputs="And then?")


@step("beta.conversations.get_history")
def _():
    client.beta.conversations.get_history(conversation_id="conv_0123")


@step("beta.conversations.get_messages")
def _():
    client.beta.conversations.get_messages(conversation_id="conv_0123")


@step("beta.libraries.create")
def _():
    client.beta.libraries.create(name="docs")


@step("beta.libraries.get")
def _():
    client.beta.libraries.get(library_id=U)


@step("beta.libraries.documents.list")
def _():
    client.beta.libraries.documents.list(library_id=U)


@step("beta.libraries.documents.upload")
def _():
    client.beta.libraries.documents.upload(library_id=U, file={"file_name": "a.txt", "content": b"Comte."})


@step("beta.libraries.documents.status")
def _():
    client.beta.libraries.documents.status(library_id=U, document_id=U)


@step("beta.libraries.documents.text_content")
def _():
    client.beta.libraries.documents.text_content(library_id=U, document_id=U)


@step("beta.libraries.accesses.list")
def _():
    client.beta.libraries.accesses.list(library_id=U)


@step("beta.libraries.delete")
def _():
    client.beta.libraries.delete(library_id=U)


finish()
