"""The seed-era official Python client (`mistralai==0.4.2`) against mistral-mock, step by step,
through the seed's operations.

Run: MISTRAL_BASE_URL=http://127.0.0.1:8080 python seed.py
Prints one line per step (`ok NAME` or `FAIL NAME: why`) and exits 1 if any step failed.
"""

import os
import time

from mistralai.client import MistralClient
from mistralai.models.chat_completion import ChatMessage
from mistralai.models.jobs import TrainingParameters

from steps import finish, step

client = MistralClient(api_key="official-client-key", endpoint=os.environ["MISTRAL_BASE_URL"])
state = {}


USER = [ChatMessage(role="user", content="What is the best French cheese?")]


@step("list_models")
def _():
    assert any(m.id == "mistral-small-latest" for m in client.list_models().data)


@step("chat")
def _():
    r = client.chat(model="mistral-small-latest", messages=USER, max_tokens=16)
    assert r.choices[0].message.content


@step("chat.json_mode")
def _():
    r = client.chat(model="mistral-small-latest", messages=USER, response_format={"type": "json_object"})
    assert r.choices[0].message.content.startswith("{")


@step("chat.tools")
def _():
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    r = client.chat(model="mistral-large-latest", messages=[ChatMessage(role="user", content="Weather in Paris?")],
                    tools=tools, tool_choice="any")
    assert r.choices[0].message.tool_calls


@step("chat_stream")
def _():
    text = "".join(c.choices[0].delta.content or "" for c in client.chat_stream(model="mistral-small-latest", messages=USER))
    assert text


@step("completion")
def _():
    assert client.completion(model="codestral-latest", prompt="def add(a, b):", suffix="print(add(1, 2))").choices


@step("completion_stream")
def _():
    assert sum(1 for _ in client.completion_stream(model="codestral-latest", prompt="def add(a, b):")) > 0


@step("embeddings")
def _():
    assert len(client.embeddings(model="mistral-embed", input=["Comté", "Brie"]).data) == 2


@step("files.create")
def _():
    line = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'
    state["file"] = client.files.create(file=("train.jsonl", line * 4)).id


@step("files.list")
def _():
    assert any(f.id == state["file"] for f in client.files.list().data)


@step("files.retrieve")
def _():
    assert client.files.retrieve(state["file"]).id == state["file"]


@step("jobs.create.dry_run")
def _():
    client.jobs.create(model="open-mistral-7b", training_files=[state["file"]],
                       hyperparameters=TrainingParameters(training_steps=2, learning_rate=1e-4), dry_run=True)


@step("jobs.create")
def _():
    job = client.jobs.create(model="open-mistral-7b", training_files=[state["file"]],
                             hyperparameters=TrainingParameters(training_steps=2, learning_rate=1e-4))
    state["job"] = job.id


@step("jobs.list")
def _():
    assert any(j.id == state["job"] for j in client.jobs.list().data)


@step("jobs.retrieve")
def _():
    deadline = time.time() + 30
    while True:
        job = client.jobs.retrieve(state["job"])
        if job.status == "SUCCESS":
            state["model"] = job.fine_tuned_model
            return
        assert time.time() < deadline, f"still {job.status}"
        time.sleep(0.2)


@step("chat.fine_tuned")
def _():
    assert client.chat(model=state["model"], messages=USER).choices


@step("jobs.cancel")
def _():
    job = client.jobs.create(model="open-mistral-7b", training_files=[state["file"]],
                             hyperparameters=TrainingParameters(training_steps=500, learning_rate=1e-4))
    assert client.jobs.cancel(job.id).status in ("CANCELLATION_REQUESTED", "CANCELLED")


@step("delete_model")
def _():
    assert client.delete_model(state["model"]).deleted


@step("files.delete")
def _():
    assert client.files.delete(state["file"]).deleted


finish()
