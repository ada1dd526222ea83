//! A faithful, stateful mock of the Mistral AI v1 REST API, for tests and offline work.
//!
//! It routes every operation of the workspace's `openapi.yaml` (the operation table,
//! `mistral_openapi::operations`) at its `/v1` path, validates requests with the spec's JSON
//! Schemas (`mistral-spec`) and answers errors with the bodies the real API sends, keyed as the
//! live server keys them (every declared field, `null` included). Chat, FIM, embeddings,
//! models, files, fine-tuning and batch jobs, OCR, moderation and classification, audio
//! (transcription, speech, voices) and the beta groups (agents, conversations, libraries) have
//! behaviour and state of their own; with [`Options::stateful_beta`] off
//! ([`MockServerBuilder::stateful_beta`], `--beta-examples`) the beta groups answer from the
//! spec's examples (`x-mock-answer: example`) instead. Answers are deterministic: the same
//! request gets the same text.
//!
//! As a test double it keeps a journal of every request and takes scripted answers
//! ([`MockServer::on`], [`MockServer::received`]; see [`script`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = mistral_mock::MockServer::start().await?;
//! let answer: serde_json::Value = reqwest::Client::new()
//!     .post(format!("{}/v1/chat/completions", server.base_url()))
//!     .bearer_auth("any-key")
//!     .json(&serde_json::json!({
//!         "model": "mistral-small-latest",
//!         "messages": [{"role": "user", "content": "What is the best French cheese?"}],
//!     }))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(answer["object"], "chat.completion");
//! assert_eq!(answer["choices"][0]["finish_reason"], "stop");
//! # Ok(()) }
//! ```
//!
//! Or from a shell: `mistral-mock --addr 127.0.0.1:8080 [--api-key K]... [--data-dir D]
//! [--speed X] [--fault SPEC] [--fail-first N]` prints its URL and serves until Ctrl-C.
//!
//! # Behaviour
//!
//! | endpoint | what the mock does |
//! |---|---|
//! | `POST /v1/chat/completions` | Plausible prose built from the last user message, seeded by a hash of the request. `max_tokens` cuts it (`finish_reason: "length"`), `stop` sequences end it early. Images (`image_url`), documents (`document_url`, `file`) and audio (`input_audio`) in user messages are accepted (images need a vision model, audio an audio one, else 400) and counted: see *Token counts*. JSON mode answers one JSON object (with the keys the prompt shows as `"key":`, else `answer`/`topic`); `response_format: {type: json_schema}` answers a deterministic instance of the schema, valid against it (`required`/`properties` (all filled), `$defs`/`$ref`, `enum`, `const`, `anyOf`/`oneOf` (first branch), numbers within `minimum`/`maximum`/`multipleOf`, strings within `minLength`/`maxLength` and `format`, arrays of `minItems`), filled from `key=value` in the prompt; both written with keys in `required` order, as `{"a": 1, "b": true}`. With function `tools` and `tool_choice` `auto`/`any`/`required` (or one named) and a last user message it calls the best-matching (or named) function (`finish_reason: "tool_calls"`, a 9-character id) with arguments generated from the tool's JSON Schema and the prompt (a `city` gets `Paris` from "weather in Paris"); after a `tool` message it answers with the result; `tool_choice: "none"` gives text. Built-in tools (`web_search`, `web_search_premium`, `code_interpreter`, `image_generation`, `document_library`, `connector`) are not run: the answer opens with one sentence per tool saying it was used (`I searched the web for "...".`). Reasoning: `magistral-*` models always think (unless `reasoning_effort: "none"`), the other models with the reasoning capability when asked (`prompt_mode: "reasoning"` or a `reasoning_effort`), the rest ignore both; the content is then `[{"type": "thinking", "thinking": [{"type": "text", "text": ...}]}, {"type": "text", "text": ...}]`, one sentence of thought for `minimal` up to seven for `xhigh` (three by default), `max_tokens` spent on the thought first, and `usage.completion_tokens_details.reasoning_tokens` counts it. `n` gives that many choices (indexes 0..n, at most 64), the first the answer without `n`, the texts different. A last `assistant` message needs `prefix: true` (else 400). `stream: true` sends SSE: a role event per choice (`{"role": "assistant", "content": ""}`), then the choices' deltas interleaved by index: one per token (a thinking model's as `thinking` chunks, then `text` chunks), tool calls in fragments (the first with `id`, `type`, `index`, `function.name` and the start of `function.arguments`, the next with `index` and more `arguments` only, `name` empty; their concatenation is the arguments) and then an event `{"content": "", "tool_calls": null}`; each choice's last event has its `finish_reason`, the last event the `usage`; then `data: [DONE]`. Scripted tool calls stream the same way. |
//! | `POST /v1/fim/completions` | Code between `prompt` and `suffix` (a Python or brace-language body, closing braces the suffix lacks), with `max_tokens`, `min_tokens` (honoured up to 8192), `stop` (a string or a list; the earliest ends the code, only after the `min_tokens`) and streaming. Codestral models only. |
//! | `POST /v1/embeddings` | `mistral-embed` and `codestral-embed`, up to 256 inputs (257 get the live server's 400), 1024 dimensions, L2-normalised, deterministic; words and character trigrams hashed into signed buckets so that texts sharing words are closer. |
//! | `GET /v1/models`, `GET`/`DELETE /v1/models/{id}`, `PATCH /v1/fine_tuning/models/{id}`, `POST`/`DELETE /v1/fine_tuning/models/{id}/archive` | The 2026 catalog (`open-mistral-7b`, `mistral-small-latest`, `mistral-large-latest`, `codestral-latest`, `codestral-2405`, `mistral-embed`, `magistral-small-latest`, `voxtral-small-latest`, `mistral-ocr-latest`... with their capabilities), plus the models of succeeded fine-tuning jobs (`ft:<base>:<owner>:<yyyymmdd>:<8 hex>`), which can be used for chat and deleted. Retrieve gives a model's card as the list has it. A fine-tuned model can be renamed and re-described (`name`/`description` set when given, cleared by `null`, kept when absent; the answer is the fine-tuning routes' `FineTunedModel` with `model_type: "completion"`), archived and unarchived (`{"id", "object": "model", "archived"}`; an archived model is flagged on its card and still usable); the changes show in the list and retrieve, and survive restarts with a data directory. Deleting, updating, archiving or unarchiving a base model is a 400 (`Model X is a base model: only fine-tuned models can be updated`), an unknown model a 404 (`Model X not found`). |
//! | `/v1/files` | Multipart upload: `file`, `purpose` (`fine-tune` (default), `batch` or `ocr`), `visibility` (`workspace` (default) or `user`), `expiry` (hours; sets `expires_at`, after which the file is gone). Fine-tuning files must be JSONL of `{"messages": [...]}` with an assistant message per line (`sample_type: "instruct"`), batch files JSONL of objects with a `body` (`batch_request`), else 422 naming the line; OCR files may be anything (`ocr_input`). Every field is sent (`null` where unset): `num_lines`, `mimetype` (the part's, else from the extension), `signature` (16 hex digits of a digest of the bytes), `source: "upload"`, `expires_at`, `visibility`. List: newest first, filtered by `purpose`, `sample_type`, `source`, `mimetypes` (repeated or comma-separated; `image/*` matches any image) and `search` (in the file name, any case), paged by `page` (from 0) and `page_size` (default 100), with the `total` that matched (`null` with `include_total=false`). Retrieve (with `deleted: false`), delete; `GET /v1/files/{id}/content` streams the stored bytes (`application/octet-stream`, `Content-Disposition: attachment`); `GET /v1/files/{id}/url?expiry=H` (1 to 168 hours, default 24) gives `{"url": "http://<host>/v1/files/{id}/content?expires=<unix>&signature=<hex>"}`, which downloads without a key until it expires (403 when expired or tampered with). |
//! | `/v1/fine_tuning/jobs` | Create (files must exist, model `open-mistral-7b` or `mistral-small-latest`, `training_steps` required), `?dry_run=true` for a `JobMetadata` estimate (tokens counted from the files, 131072 tokens per step), list (newest first; `page`, `page_size`, `model`, `status`, `created_after`, `created_by_me`, `wandb_project`, `wandb_name`, `suffix`), get (with events and checkpoints), cancel. Jobs are `QUEUED` for 10 simulated seconds, `RUNNING` 10 simulated seconds per step (a checkpoint each step, up to 10 checkpoints, falling loss), then `SUCCESS`; a cancel is `CANCELLATION_REQUESTED`, then `CANCELLED` 5 simulated seconds later. [`Options::speed`] simulated seconds pass per real second (default 50: a 10-step job takes ~2.2 s). State is computed from timestamps when read. |
//! | `/v1/batch/jobs` | Create from batch input files (`input_files`, uploaded with purpose `batch`; each line `{"custom_id", "body"}`) and inline `requests`, for any `endpoint` of the spec's list (chat, FIM, embeddings, moderations, classifications, OCR, transcriptions (a JSON body sent as the form), conversations), with `model` (checked, and set on every request), `metadata`, `timeout_hours` (default 24); list (newest first, `order_by=created` for oldest; `page`, `page_size`, `model`, `agent_id`, `metadata` (a JSON object, or exploded `key=value` parameters), `created_after`, `created_by_me`, `status` (repeated)), get (`?inline=true` adds `outputs`), cancel, delete. Jobs run on the simulated clock: `QUEUED` for 10 simulated seconds, then `RUNNING`, one request every 10 simulated seconds, each through the mock's own route for the endpoint (the same answer as the sync call; a line asking for a stream gets a 400), counted in `completed_requests`, `succeeded_requests` and `failed_requests` as they run, failed ones grouped in `errors` (`{message, count}`); then `SUCCESS` (`FAILED` when every request failed), `TIMEOUT_EXCEEDED` once `timeout_hours` have passed, or after a cancel `CANCELLATION_REQUESTED` then `CANCELLED` 5 simulated seconds later (the requests not yet run never run). An ended job writes its results as files (purpose `batch`, `source: "mistral"`): `output_file` (`batch_result`) with a line `{"id", "custom_id", "response": {"status_code": 200, "body": ...}, "error": null}` per success, `error_file` (`batch_error`) with a line per failure whose `response` holds the status and the error body the sync call gives and `error` is `{"message", "code"}`. Cancelling an ended job is a 400, an unknown job a 404, unknown or non-batch input files, an unknown endpoint or a job without requests are refused (422, 400). |
//! | `POST /v1/ocr` | `mistral-ocr-latest` (OCR models only, else 400). The `document` is an uploaded file (`file_id`; 404 if unknown), a `data:` URL or a remote URL (never fetched). A PDF gives its text back, a page per page of its page tree, from uncompressed content streams (`Tj`, `TJ`, `'`, `"`, a line per text line), `dimensions` from its `/MediaBox` at 200 dpi; a text document (`text/*`, JSON, any UTF-8) a page per form feed; an image (PNG, JPEG, GIF, WebP header) one page of its pixel size (72 dpi) showing the image (`img-0.png`, its whole area, `image_base64` the image's `data:` URL with `include_image_base64`) under a caption. What cannot be read (a remote URL, a compressed PDF page, an office document) gets plausible text from its name and bytes, the same every time. `pages` (`[0, 2]` or `"0,2-3"`) selects pages (their own `index`es kept), `image_limit`/`image_min_size` filter images, `extract_header`/`extract_footer` take the first/last line out as `header`/`footer`, `include_blocks` gives a block per paragraph (`title` for `#` lines), `confidence_scores_granularity` page or word scores (0.9 to 0.999 per word), `hyperlinks` the page's URLs, `tables` `[]`. `bbox_annotation_format` (each image's `image_annotation`) and `document_annotation_format` (`document_annotation`) of type `json_schema` are answered with JSON text of an instance of the schema (as structured outputs are, filled from `document_annotation_prompt`'s `key=value`s), `json_object` with an object. `usage_info`: `pages_processed` (pages returned), `doc_size_bytes` (`null` for a remote URL). |
//! | `POST /v1/moderations`, `/v1/chat/moderations`, `/v1/classifications`, `/v1/chat/classifications` | `mistral-moderation-latest` (moderation models only, else 400). A result per input text (a string or a list), per conversation (a list of messages, or a list of them) or per `{"messages"}`. Scores per category (`sexual`, `hate_and_discrimination`, `violence_and_threats`, `dangerous_and_criminal_content`, `selfharm`, `health`, `financial`, `law`, `pii`) are deterministic: a small base from a hash of the text (0.0005 to 0.02), raised by each keyword of the category found (`kill`, `threat`... for violence; e-mail addresses and long numbers for `pii`): `1 - (1 - base) * 0.3^hits`, one hit about 0.7, two about 0.91; `categories` flags the scores from 0.5. A conversation is judged by its last message, the earlier ones counting half. Classification answers per the model's targets: the moderation model's one target, `moderation`, whose label scores are the category scores (`{"moderation": {"scores": {...}}}`). |
//! | `POST /v1/audio/transcriptions` | Multipart: `model` (transcription models, e.g. `voxtral-mini-latest`, else 400), the audio as `file`, `file_id` (an upload) or `file_url` (a `data:` URL; another URL is not fetched), `language` (two letters; detected from the text's function words otherwise: en, fr, es, de, it), `timestamp_granularities` (repeated, or `name[]`), `diarize`, `context_bias`, `stream`. A WAV made by [`audio::wav_from_text`] is transcribed back to its text exactly; other audio gets plausible text derived from its bytes (a sentence every three seconds), the same every time. The duration comes from a WAV header (else 16 kB a second): `usage.prompt_audio_seconds` (rounded up, at least 1), `prompt_tokens` 4 (plus `context_bias`), `completion_tokens` the text's, audio tokens (75 a second) in `prompt_tokens_details` and the total. With timestamps, `segments` are the sentences (the words with only `word`), timed by where their bytes are (`{"type": "transcription_segment", "text", "start", "end"}`, `speaker_id` taking turns at each line with `diarize`). `stream: true` sends named events, each named after its data's `type`: `transcription.language`, the text in `transcription.text.delta`s (a token each), a `transcription.segment` after each segment's words (with timestamps), then `transcription.done` (model, text, language, segments when there are some, usage). |
//! | `POST /v1/audio/speech` | The `input` as a WAV of [`audio::wav_from_text`] (so transcribing it gives the input back), base64 in `audio_data`; `response_format: "pcm"` gives the bare samples, the other formats the WAV (the mock has no MP3, FLAC or Opus encoder). A `voice_id` must exist (404); `input` has at most 4096 characters (422). `stream: true`: `speech.audio.delta` events of 16 kB of audio each, then `speech.audio.done` with the usage. Speech models only. |
//! | `/v1/audio/voices` | Four preset voices (`type: "preset"`, fixed ids, `user_id: null`) and custom ones made from a base64 `sample_audio` (422 when empty): create (`slug` from the name, `languages` `[]`, `retention_notice` 30 by default, `user_id` the key's owner, `trimmed_seconds` the sample's WAV duration up to 30, else `null`), list (presets then custom voices; `type` `all`/`custom`/`preset`, `limit` 1 to 100 (default 10), `offset`; `page`, `page_size`, `total`, `total_pages`), get, update (the fields given are set, `null` clears them, the name is kept), delete (answers the deleted voice), `GET .../sample` (the sample's bytes, `audio/wav`; a preset's says its greeting). Presets cannot be changed or deleted (400); unknown voices are 404, ids that are not UUIDs 422 on update and delete. Kept in the data directory. |
//! | `/v1/agents` | Create (`model` checked, id `ag_` and 32 hex digits, version 0, `source: "api"`), list (`page`/`page_size`, default 20, oldest first) and `/v1/agents/pages` (`page_size`, `page_token`/`next_page_token`), both filtered by `name`, `id`, `search` (name or description, any case), `deployment_chat`, `sources`, `metadata` (a JSON object); get (`agent_version`: a number or an alias); update (the fields given on the current version, `null` clears them but not `model`/`name`, `version_message` not carried over) makes a new version and makes it current; delete (204); versions (newest first, `page`/`page_size`), one version (by number or alias), switch (`PATCH .../version?version=N`); aliases (`PUT ...?alias=A&version=N` makes or moves one, list, delete; the API's pattern for `alias`). `POST /v1/agents/completions` is the chat answer to the agent's request: its `completion_args`, then the request's fields, its model, its `instructions` as a first system message, its tools when the request has none (plain or streamed). Unknown agents, versions and aliases are 404s. |
//! | `/v1/conversations` | Start with a `model` or an `agent_id` (one of them, else 400); `inputs` (a string: one user `message.input`; or entries) are kept as entries (`msg_` ids, `fr_` for function results), and the answer is the chat engine's answer to the entries (the agent's or the conversation's model, `instructions` first, `tools`, `completion_args`; function calls and results as the assistant's `tool_calls` and `tool` messages), with `usage`. When the engine calls functions the outputs are `function.call` entries (`fc_` ids, `tool_call_id`, `name`, `arguments` as JSON text) and no message; the client answers them by appending `function.result` entries (`tool_call_id`, `result`), and one that answers no pending call (unknown, or already answered) is a 400. A text answer to a user message first runs each built-in tool (`web_search`, `web_search_premium`, `code_interpreter`, `image_generation`, `document_library`, `connector`, named by its `connector_id`) as a `tool.execution` entry (`tex_` ids, `arguments` `{"query": ...}` with the question's first four keywords, `info`), counted in `usage.connectors`, then the `message.output` (none with `tool_choice: "none"`, nor after function results). `document_library` searches the processed documents of its `library_ids` for real (`info.hits`: `library_id`, `document_id`, `document_name`, `chunk`, `score`, best first), and the message opens by quoting the best chunk (`According to <document_name>: "<chunk>"`) or by saying nothing was found. An agent hands off to the first of its `handoffs` whose name the user message holds as whole words (any case): an `agent.handoff` entry (`ho_` ids, previous and next agent ids and names), then the next agent's answer (its model, instructions and tools; `agent_id` on its entries); the conversation stays with its own agent for later messages, except that function results go back to the agent that made the call. Append adds inputs and answers; restart copies the entries up to `from_entry_id` (included; else 400) into a new conversation, adds the inputs and answers; `store: false` answers without keeping. List (newest first, `page`/`page_size`, `metadata`), get, delete (204), history (every entry), messages (the message entries). `stream: true` sends the named events `conversation.response.started`, then per output entry (`output_index`) `agent.handoff.started`/`done`, `tool.execution.started`/`done`, `function.call.delta` (the arguments in pieces) or `message.output.delta` (a word each), then `conversation.response.done` (with `usage`); the entries are kept as for a plain answer. |
//! | `/v1/libraries` | Create (`name` required, a UUID id, `chunk_size` and `owner_type` (default `Workspace`) kept; 201), list (oldest first; `search` in name or description, `filter_owned_by_me`, `page`/`page_size` (default 100) or `page_token`/`next_page_token`, a `pagination` object), get, patch and the deprecated put (`name`, `description`), delete (answers the library as it was; its documents go with it). `nb_documents` and `total_size` follow the documents. Documents: multipart `file` upload (the upload limit holds; bytes kept, media type from the part or the extension), processed on the simulated clock: `process_status` `in_progress` / `processing_status` `Running` for 2 simulated seconds, then `done`/`Completed`, or `error`/`Failed` when no text can be read (the mock reads `text/*`, JSON/XML/YAML and PDFs with uncompressed text, as OCR does). List (`search` in the name, `filters_attributes` (a JSON object; a list value matches any of its values), `sort_by` `created_at`/`name`/`size`, `sort_order` (default `desc`), `page`/`page_size`, `pagination`), get, patch/put (`name`, `attributes`, `expires_at`), delete (204), status, `text_content` (the text; PDF pages by `page_start`/`page_end`; 400 while processing or when there is no text), reprocess (204; `Running` again, then done), `signed-url` and `extracted-text-signed-url` (URLs of this server under `/__mock/documents/` that give the bytes or the text without a key for 24 hours; 403 with a wrong signature). Sharing: PUT grants or changes a `level` for a `share_with_type`/`share_with_uuid`, list, DELETE with its body answers the revoked share (404 if none). The `document_library` tool searches the processed documents' chunks (paragraphs, at most 100 words) by keyword overlap. Unknown libraries and documents are 404s, ids that are not UUIDs 422s. |
//!
//! Token counts: a token is a word (a run of letters and digits) or a punctuation mark.
//! Prompt tokens count every message's content (plus tool calls and the tool definitions);
//! completion tokens count what was generated (every choice, thinking included);
//! `total_tokens` is their sum, plus the audio tokens. An image costs what a 16-pixel-patch
//! encoder spends on it: scaled to at most 1024 pixels a side (512 with `detail: "low"`), one
//! token per 16×16 patch plus one per row (a 1×1 image 2 tokens, 64×32 10); its size is read
//! from a `data:` URL's PNG, GIF, JPEG or WebP header, a remote image counts as 768×768. A
//! `data:` text document counts its own tokens, another `data:` document one token per 20
//! bytes (at least 16), a remote document or an uploaded file 500. Audio is reported apart, as
//! the live server does: `prompt_audio_seconds` (about 6.5 kB of compressed audio per second,
//! at least 1) and `prompt_tokens_details.audio_tokens` (75 a second, in `total_tokens` but not
//! `prompt_tokens`).
//!
//! # Errors
//!
//! | when | status | body |
//! |---|---|---|
//! | missing or unknown bearer key (except on a signed download URL) | 401 | `{"message":"Unauthorized","request_id":"<32 hex>"}` |
//! | body not matching the spec (unknown, missing, mistyped or out-of-range fields), malformed JSON, empty body, bad path/query values | 422 | `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","foo"],"msg":"Extra inputs are not permitted","input":1}]},"type":"invalid_request_error","param":null,"code":null}` |
//! | unknown model | 400 | `{"object":"error","message":"Invalid model: X","type":"invalid_model","param":null,"code":"1500"}` |
//! | model without the capability (images need vision, audio needs audio, OCR, moderation, transcription and speech their own models), last message not user/tool, `json_schema` format without a schema, deleting, updating or (un)archiving a base model, changing or deleting a preset voice, cancelling a finished job, a batch without requests, a transcription without audio | 400 | `{"object":"error","message":"...","type":"invalid_request_error","param":null,"code":null}` |
//! | unknown path, file, job, batch job, voice or model | 404 | `{"object":"error","message":"No file with id X","type":"invalid_request_error","param":null,"code":"404"}` |
//! | a signed download URL expired or tampered with | 403 | as 404, `code` `"403"`, `message` `Invalid or expired signature` |
//! | wrong method | 405 | as 404, `code` `"405"` |
//! | body over [`Options::body_limit`] (uploads: [`Options::upload_limit`]) | 413 | as 404, `code` `"413"` |
//!
//! # Testing your application with the mock
//!
//! In Rust, start one server per test, point the application at [`MockServer::base_url`],
//! script what the model says where the test needs it, and check what the application sent:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mistral_mock::{MockServer, Reply};
//! use mistral_openapi::operations as ops;
//!
//! let server = MockServer::start().await?;
//! server.on(&ops::CREATE_CHAT_COMPLETION).when(|r| r.text().contains("cheese")).respond(Reply::text("Comté."));
//! // ... run the code under test against server.base_url() ...
//! # let _ = reqwest::Client::new().post(format!("{}/v1/chat/completions", server.base_url())).bearer_auth("k")
//! #     .json(&serde_json::json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "cheese?"}]}))
//! #     .send().await?;
//! let sent = server.received_for(&ops::CREATE_CHAT_COMPLETION);
//! assert_eq!(sent.len(), 1);
//! assert_eq!(sent[0].model(), Some("mistral-small-latest"));
//! # Ok(()) }
//! ```
//!
//! A rule answers with a chat text ([`Reply::text`]), a structured-output JSON value
//! ([`Reply::structured`]), a stream cut into given pieces ([`Reply::chunks`]), a tool call
//! ([`Reply::tool_call`]), any event stream, named events included ([`Reply::events`]), any
//! status and body ([`Reply::json`], [`Reply::error`]) or faults ([`Reply::fault`]); `.times(n)`
//! wears it out, `.pace(d)` spaces its stream's events, and rules are tried in the order added.
//!
//! Time can be moved on instead of waited for: [`MockServer::advance`] (or `POST
//! /__mock/clock` with `{"advance_seconds": N}`) makes fine-tuning and batch jobs (and the
//! processing of library documents) as far along
//! as if N simulated seconds had passed. `--record DIR` ([`Options::record`]) appends every request to
//! `DIR/requests.jsonl`.
//!
//! From other languages, run `mistral-mock --addr 127.0.0.1:8080 --admin` and use the admin
//! API ([`AdminRule`]); with pytest and the official client:
//!
//! ```text
//! import requests
//! from mistralai.client import Mistral
//!
//! def test_weather_tool(mock_url):            # mock_url = "http://127.0.0.1:8080"
//!     requests.delete(f"{mock_url}/__mock/requests")
//!     requests.post(f"{mock_url}/__mock/rules", json={
//!         "operation": "createChatCompletion", "text_contains": "weather", "times": 1,
//!         "reply": {"tool_call": {"name": "get_weather", "arguments": {"city": "Lyon"}}}})
//!     client = Mistral(api_key="test", server_url=mock_url)
//!     answer = my_app.ask(client, "What is the weather?")
//!     sent = requests.get(f"{mock_url}/__mock/requests").json()
//!     assert sent[0]["body"]["model"] == "mistral-small-latest"
//! ```
//!
//! or with curl:
//!
//! ```text
//! curl -X POST localhost:8080/__mock/rules -d '{"operation": "createEmbedding", "reply": {"error": {"status": 429, "message": "Rate limit exceeded"}}}'
//! curl localhost:8080/__mock/requests        # the journal, as JSON (keys redacted)
//! curl -X DELETE localhost:8080/__mock/rules # back to the mock's own answers
//! ```
//!
//! # Fault injection
//!
//! Send `x-mock-fault: <items>` ([`FAULT_HEADER`]) with any request; items are separated by
//! `;` and combine (e.g. `503;html;retry-after=2`, `delay=150ms;drop-stream-after=3`).
//! Faults act before routing and authentication. The same syntax sets faults for every
//! request without the header ([`Options::faults`], `--fault`), and [`Options::fail_first`]
//! (`--fail-first N`) answers the first N requests with 503.
//!
//! | item | effect |
//! |---|---|
//! | `429` | 429 with `{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}` |
//! | `500`, `502`, `503`, `504` (any 400..=599) | that status with a JSON error body (`401` gives the 401 body) |
//! | `retry-after=N` | adds `Retry-After: N` to the error |
//! | `html` | the error body is an HTML page (`text/html`), as gateways send |
//! | `empty` | the error has no body |
//! | `delay=2s`, `delay=1.5s`, `delay=150ms` | waits before answering (before any header); at most 300 s |
//! | `drop-stream-after=N` | sends N body frames (SSE events) then aborts the connection, without `[DONE]` |
//! | `reset` | closes the connection without any response |
//!
//! An unparsable header is answered with 400 and a message listing the valid items.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api_error;
mod app;
mod arguments;
pub mod audio;
mod auth;
mod base64;
mod batch;
pub mod cli;
mod completion;
mod dataset;
mod error;
mod examples;
mod faults;
mod lifecycle;
mod moderation;
mod options;
mod pdf;
mod persist;
mod query;
mod routes;
pub mod script;
mod server;
mod sse;
mod store;
mod structured;
mod text;
mod validate;
mod wire;

pub use app::serves;
pub use error::Error;
pub use examples::EXAMPLE_HEADER;
pub use faults::{FAULT_HEADER, FaultBody, Faults};
pub use options::{FineTuningMode, Options};
pub use script::{AdminRule, Part, Received, Reply, RuleBuilder};
pub use server::{MockServer, MockServerBuilder, serve};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
