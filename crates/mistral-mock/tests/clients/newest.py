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


finish()
