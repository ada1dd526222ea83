//! Audio: transcription (multipart parts, streamed and replayed uploads, the event stream),
//! speech (JSON, bytes, to a writer, the event stream) and voices (CRUD, sample download).

mod support;

use std::time::Duration;

use futures::StreamExt;
use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use mistral_sdk::types::{KnownAudioType, KnownSpeechOutputFormat, KnownTimestampGranularity};
use mistral_sdk::{
    ApiErrorKind, Error, SpeechEvent, SpeechRequest, SpeechResponseExt, TranscriptionEvent, TranscriptionRequest,
    VoiceFilter, VoiceRequest, VoiceUpdate,
};
use serde_json::{Value, json};

const VOICE_ID: &str = "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b";
const WAV: &[u8] = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0";

/// One part of a multipart body: name, file name, content type, content.
type FormPart = (String, Option<String>, Option<String>, Vec<u8>);

/// The parts of a `multipart/form-data` body, in order.
fn parts(req: &httpmock::HttpMockRequest) -> Vec<FormPart> {
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let Some(boundary) = content_type.split("boundary=").nth(1) else { return Vec::new() };
    let delimiter = format!("--{boundary}");
    let body = req.body_ref();
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else { break };
        let head = String::from_utf8_lossy(&rest[..head_end]).to_string();
        let content_start = head_end + 4;
        let Some(end) = find(&rest[content_start..], format!("\r\n{delimiter}").as_bytes()) else { break };
        let content = rest[content_start..content_start + end].to_vec();
        let attr =
            |key: &str| head.split(&format!("{key}=\"")).nth(1).and_then(|v| v.split('"').next()).map(str::to_string);
        let content_type = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_string()));
        out.push((attr("name").unwrap_or_default(), attr("filename"), content_type, content));
        rest = &rest[content_start + end..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The text fields of a form, as (name, value).
fn fields(req: &httpmock::HttpMockRequest) -> Vec<(String, String)> {
    parts(req)
        .into_iter()
        .filter(|p| p.1.is_none())
        .map(|p| (p.0, String::from_utf8_lossy(&p.3).into_owned()))
        .collect()
}

fn transcription() -> Value {
    json!({"model": "voxtral-mini-latest", "text": "Hello world.", "language": "en",
           "segments": [{"type": "transcription_segment", "text": "Hello world.", "start": 0.0, "end": 1.5, "speaker_id": "s1"}],
           "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7, "prompt_audio_seconds": 2}})
}

#[tokio::test]
async fn transcription_sends_every_part() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/audio/transcriptions")
                .header("accept", "application/json")
                .header_prefix("content-type", "multipart/form-data; boundary=")
                .is_true(|req| {
                    let all = parts(req);
                    let file = all.iter().find(|p| p.0 == "file").unwrap();
                    fields(req)
                        == [
                            ("model", "voxtral-mini-latest"),
                            ("language", "en"),
                            ("temperature", "0.2"),
                            ("diarize", "true"),
                            ("context_bias", "Mistral"),
                            ("context_bias", "Voxtral"),
                            ("timestamp_granularities", "segment"),
                            ("timestamp_granularities", "word"),
                            ("new_field", "x"),
                        ]
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        && file.1.as_deref() == Some("talk.wav")
                        && file.2.as_deref() == Some("audio/wav")
                        && file.3 == WAV
                });
            then.status(200).json_body(transcription());
        })
        .await;
    let request = TranscriptionRequest::from_bytes("voxtral-mini-latest", "talk.wav", WAV)
        .language("en")
        .temperature(0.2)
        .diarize(true)
        .context_bias(["Mistral", "Voxtral"])
        .timestamp_granularities([KnownTimestampGranularity::Segment, KnownTimestampGranularity::Word])
        .extra("new_field", "x");
    let transcript = support::client(&server.base_url()).audio().transcribe(request).await.unwrap();
    mock.assert_async().await;
    assert_eq!(transcript.text, "Hello world.");
    assert_eq!(transcript.language.as_deref().map(|l| l.as_str()), Some("en"));
    assert_eq!(transcript.segments[0].speaker_id.as_deref(), Some("s1"));
    assert_eq!((transcript.segments[0].start, transcript.segments[0].end), (0.0, 1.5));
    assert_eq!(transcript.usage.prompt_audio_seconds, Some(2));
}

#[tokio::test]
async fn transcription_from_a_url_a_file_id_and_a_path() {
    let server = MockServer::start_async().await;
    let by_url = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/transcriptions").is_true(|req| {
                parts(req).iter().all(|p| p.0 != "file")
                    && fields(req)
                        == [("model", "voxtral-mini-latest"), ("file_url", "https://example.com/a.mp3")]
                            .map(|(k, v)| (k.to_string(), v.to_string()))
            });
            then.status(200).json_body(transcription());
        })
        .await;
    let by_id = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/audio/transcriptions")
                .is_true(|req| fields(req).contains(&("file_id".to_string(), "f-1".to_string())));
            then.status(200).json_body(transcription());
        })
        .await;
    let by_path = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/transcriptions").header_exists("content-length").is_true(|req| {
                parts(req).iter().any(|p| {
                    p.0 == "file"
                        && p.1.as_deref() == Some("memo.mp3")
                        && p.2.as_deref() == Some("audio/mpeg")
                        && p.3 == b"ID3 audio"
                })
            });
            then.status(200).json_body(transcription());
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memo.mp3");
    std::fs::write(&path, b"ID3 audio").unwrap();
    let client = support::client(&server.base_url());
    let audio = client.audio();
    audio.transcribe(TranscriptionRequest::from_url("voxtral-mini-latest", "https://example.com/a.mp3")).await.unwrap();
    audio.transcribe(TranscriptionRequest::from_file_id("voxtral-mini-latest", "f-1")).await.unwrap();
    audio.transcribe(TranscriptionRequest::from_path("voxtral-mini-latest", &path)).await.unwrap();
    by_url.assert_calls_async(1).await;
    by_id.assert_calls_async(1).await;
    by_path.assert_calls_async(1).await;
}

#[tokio::test]
async fn transcription_uploads_are_replayed_on_retry_unless_read_once() {
    let server = MockServer::start_async().await;
    let busy = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/transcriptions");
            then.status(503).json_body(json!({"message": "busy"}));
        })
        .await;
    busy.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/audio/transcriptions")
                .is_true(|req| parts(req).iter().any(|p| p.0 == "file" && p.3 == b"ID3 whole file"));
            then.status(200).json_body(transcription());
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memo.mp3");
    std::fs::write(&path, b"ID3 whole file").unwrap();
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    let client = support::client(&server.base_url());
    let request = TranscriptionRequest::from_path("voxtral-mini-latest", &path)
        .on_progress(move |sent, total| seen.lock().unwrap().push((sent, total)));
    client.audio().transcribe(request).await.unwrap();
    busy.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(progress.lock().unwrap().last(), Some(&(14, Some(14))));

    // A reader is read once: the 503 is the answer.
    busy.delete_async().await;
    ok.delete_async().await;
    let always = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/transcriptions");
            then.status(503).json_body(json!({"message": "busy"}));
        })
        .await;
    let reader = std::io::Cursor::new(b"ID3 streamed".to_vec());
    let e = client
        .audio()
        .transcribe(TranscriptionRequest::from_reader("voxtral-mini-latest", "live.mp3", reader))
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.api().unwrap().attempts), (Some(503), 1));
    always.assert_calls_async(1).await;
}

#[tokio::test]
async fn invalid_transcriptions_are_refused_before_sending() {
    let audio_client = support::client("http://127.0.0.1:9");
    let audio = audio_client.audio();
    for (request, expected) in [
        (TranscriptionRequest::from_url("m", "https://e.com/a.mp3").language("eng"), "two letters"),
        (TranscriptionRequest::from_url("m", "https://e.com/a.mp3").context_bias(["two words"]), "context word"),
        (TranscriptionRequest::from_url("m", ""), "2083"),
        (TranscriptionRequest::from_url("", "https://e.com/a.mp3"), "model"),
    ] {
        match audio.transcribe(request).await {
            Err(Error::InvalidRequest(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    let missing = TranscriptionRequest::from_path("m", "/nonexistent/audio.wav");
    assert!(matches!(audio.transcribe(missing).await, Err(Error::Io { .. })));
}

const TRANSCRIPTION_STREAM: &str = concat!(
    "event: transcription.language\ndata: {\"type\":\"transcription.language\",\"audio_language\":\"en\"}\n\n",
    "event: transcription.text.delta\ndata: {\"type\":\"transcription.text.delta\",\"text\":\"Hello\"}\n\n",
    ": keep-alive\n\n",
    "event: transcription.vad\ndata: {\"type\":\"transcription.vad\",\"speech\":true}\n\n",
    "data: {\"type\":\"transcription.text.delta\",\"text\":\" world.\"}\n\n",
    "event: transcription.segment\ndata: {\"type\":\"transcription.segment\",\"text\":\"Hello world.\",\"start\":0,\"end\":1.5,\"speaker_id\":null}\n\n",
    "event: transcription.done\ndata: {\"type\":\"transcription.done\",\"model\":\"voxtral-mini-latest\",\"text\":\"Hello world.\",\"language\":\"en\",\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":3,\"total_tokens\":7,\"prompt_audio_seconds\":2}}\n\n",
);

#[tokio::test]
async fn the_transcription_stream_is_typed_and_keeps_unknown_events() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/audio/transcriptions")
                .header("accept", "text/event-stream")
                .is_true(|req| fields(req).contains(&("stream".to_string(), "true".to_string())));
            then.status(200).header("content-type", "text/event-stream").body(TRANSCRIPTION_STREAM);
        })
        .await;
    let client = support::client(&server.base_url());
    let request = || TranscriptionRequest::from_bytes("voxtral-mini-latest", "a.wav", WAV);
    let events: Vec<_> = client.audio().transcribe_stream(request()).await.unwrap().map(Result::unwrap).collect().await;
    assert_eq!(events.len(), 6);
    assert_eq!(events[0], TranscriptionEvent::Language("en".into()));
    assert_eq!(events[1], TranscriptionEvent::TextDelta("Hello".into()));
    assert_eq!(
        events[2],
        TranscriptionEvent::Other {
            event: "transcription.vad".into(),
            data: json!({"type": "transcription.vad", "speech": true})
        }
    );
    assert_eq!(events[3], TranscriptionEvent::TextDelta(" world.".into()), "named by its data's type");
    match &events[4] {
        TranscriptionEvent::Segment(s) => {
            assert_eq!((s.text.as_str(), s.start, s.end, s.speaker_id.clone()), ("Hello world.", 0.0, 1.5, None))
        }
        other => panic!("{other:?}"),
    }
    match &events[5] {
        TranscriptionEvent::Done(done) => {
            assert_eq!((done.text.as_str(), done.language.as_deref()), ("Hello world.", Some("en")));
            assert_eq!(done.usage.total_tokens, 7);
        }
        other => panic!("{other:?}"),
    }
    let text: Vec<String> =
        client.audio().transcribe_stream(request()).await.unwrap().text().map(Result::unwrap).collect().await;
    assert_eq!(text.concat(), "Hello world.");
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_transcription_stream_cut_short_or_failing_ends_with_an_error() {
    let server = MockServer::start_async().await;
    let cut = TRANSCRIPTION_STREAM.split("event: transcription.done").next().unwrap().to_string();
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/transcriptions").is_true(|req| fields(req).iter().any(|f| f.1 == "cut"));
            then.status(200).header("content-type", "text/event-stream").body(cut);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/transcriptions").is_true(|req| fields(req).iter().any(|f| f.1 == "fails"));
            then.status(200).header("content-type", "text/event-stream").body(concat!(
                "event: transcription.text.delta\ndata: {\"type\":\"transcription.text.delta\",\"text\":\"Hi\"}\n\n",
                "event: error\ndata: {\"object\":\"error\",\"message\":\"Audio decoding failed\",\"type\":\"invalid_request_error\"}\n\n",
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/audio/transcriptions")
                .is_true(|req| fields(req).iter().any(|f| f.1 == "refused"));
            then.status(400).json_body(
                json!({"object": "error", "message": "Invalid model: m", "type": "invalid_model", "code": "1500"}),
            );
        })
        .await;
    let client = support::client(&server.base_url());
    let audio = client.audio();
    let events: Vec<_> =
        audio.transcribe_stream(TranscriptionRequest::from_file_id("m", "cut")).await.unwrap().collect().await;
    assert_eq!(events.len(), 6);
    assert!(events[..5].iter().all(Result::is_ok));
    assert!(matches!(&events[5], Err(Error::Stream { message, .. }) if message.contains("before its last event")));
    let events: Vec<_> =
        audio.transcribe_stream(TranscriptionRequest::from_file_id("m", "fails")).await.unwrap().collect().await;
    assert_eq!(events.len(), 2);
    assert!(matches!(&events[1], Err(Error::Stream { message, .. }) if message.contains("Audio decoding failed")));
    let e = audio.transcribe_stream(TranscriptionRequest::from_file_id("m", "refused")).await.unwrap_err();
    assert_eq!(e.api().unwrap().message, "Invalid model: m");
}

#[tokio::test]
async fn speech_as_bytes_to_a_writer_and_as_events() {
    let server = MockServer::start_async().await;
    let plain = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/speech").header("accept", "application/json").json_body(json!({
                "input": "Bonjour", "model": "voxtral-tts-latest", "voice_id": VOICE_ID, "response_format": "wav",
                "metadata": {"app": "tests"}, "prompt_cache_key": "k", "ref_audio": "UklGRg=="
            }));
            then.status(200).json_body(json!({"audio_data": "UklGRiQAAABXQVZF"}));
        })
        .await;
    let streamed = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/audio/speech")
                .header("accept", "text/event-stream")
                .json_body(json!({"input": "Bonjour", "stream": true}));
            then.status(200).header("content-type", "text/event-stream").body(concat!(
                "event: speech.audio.delta\ndata: {\"type\":\"speech.audio.delta\",\"audio_data\":\"UklGRiQAAAA=\"}\n\n",
                "event: speech.phoneme\ndata: {\"type\":\"speech.phoneme\",\"p\":\"b\"}\n\n",
                "event: speech.audio.delta\ndata: {\"type\":\"speech.audio.delta\",\"audio_data\":\"V0FWRQ==\"}\n\n",
                "event: speech.audio.done\ndata: {\"type\":\"speech.audio.done\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":9}}\n\n",
            ));
        })
        .await;
    let client = support::client(&server.base_url());
    let audio = client.audio();
    let request = SpeechRequest::new("Bonjour")
        .model("voxtral-tts-latest")
        .voice_id(VOICE_ID)
        .response_format(KnownSpeechOutputFormat::Wav)
        .metadata([("app", "tests")])
        .prompt_cache_key("k")
        .ref_audio_bytes(b"RIFF");
    let response = audio.speech(request.clone()).await.unwrap();
    assert_eq!(response.audio().unwrap(), b"RIFF\x24\0\0\0WAVE");
    assert_eq!(audio.speech_audio(request).await.unwrap(), b"RIFF\x24\0\0\0WAVE");
    plain.assert_calls_async(2).await;

    let mut out = Vec::new();
    let usage = audio.speech_to(SpeechRequest::new("Bonjour"), &mut out).await.unwrap().unwrap();
    assert_eq!(out, b"RIFF\x24\0\0\0WAVE");
    assert_eq!(usage.total_tokens, 9);
    let events: Vec<_> =
        audio.speech_stream(SpeechRequest::new("Bonjour")).await.unwrap().map(Result::unwrap).collect().await;
    assert_eq!(events[0], SpeechEvent::AudioDelta(b"RIFF\x24\0\0\0".to_vec()));
    assert_eq!(
        events[1],
        SpeechEvent::Other { event: "speech.phoneme".into(), data: json!({"type": "speech.phoneme", "p": "b"}) }
    );
    assert!(matches!(&events[3], SpeechEvent::Done { usage } if usage.prompt_tokens == 3));
    streamed.assert_calls_async(2).await;
    assert!(matches!(audio.speech(SpeechRequest::new("  ")).await, Err(Error::InvalidRequest(_))));
}

fn voice(name: &str) -> Value {
    json!({"id": VOICE_ID, "name": name, "created_at": "2026-08-01T12:00:00Z", "user_id": "u-1", "type": "custom",
           "languages": ["en", "fr"], "tags": ["calm"], "a_field_of_2027": 1})
}

#[tokio::test]
async fn voices_crud_and_sample_download() {
    let server = MockServer::start_async().await;
    let path = format!("/v1/audio/voices/{VOICE_ID}");
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/audio/voices")
                .query_param("limit", "20")
                .query_param("offset", "40")
                .query_param("type", "custom");
            then.status(200).json_body(
                json!({"items": [voice("Narrator")], "total": 41, "page": 2, "page_size": 20, "total_pages": 3}),
            );
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/audio/voices").json_body(json!({
                "name": "Narrator", "sample_audio": "UklGRiQAAABXQVZFZm10IBAAAAA=", "sample_filename": "n.wav",
                "languages": ["en", "fr"], "gender": "female", "age": 40, "tags": ["calm"], "color": "#336699",
                "description": "Warm and slow.", "slug": "narrator", "retention_notice": 30
            }));
            then.status(200).json_body(voice("Narrator"));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(path.as_str());
            then.status(200).json_body(voice("Narrator"));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PATCH).path(path.as_str()).json_body(json!({"name": "Storyteller", "description": "Warmer."}));
            then.status(200).json_body(voice("Storyteller"));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(path.as_str());
            then.status(200).json_body(voice("Storyteller"));
        })
        .await;
    let sample = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{path}/sample")).header("accept", "audio/wav");
            then.status(200).header("content-type", "audio/wav").body(WAV);
        })
        .await;
    let missing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/audio/voices/nope/sample");
            then.status(404).json_body(json!({"object": "error", "message": "Voice not found", "type": "invalid_request_error", "code": "404"}));
        })
        .await;
    let client = support::client(&server.base_url());
    let voices = client.audio().voices();
    let page = voices.list(VoiceFilter::new().limit(20).offset(40).kind(KnownAudioType::Custom)).await.unwrap();
    assert_eq!((page.total, page.items[0].name.as_str(), page.items[0].languages.len()), (41, "Narrator", 2));
    let request = VoiceRequest::new("Narrator", WAV)
        .sample_filename("n.wav")
        .languages(["en", "fr"])
        .gender("female")
        .age(40)
        .tags(["calm"])
        .color("#336699")
        .description("Warm and slow.")
        .slug("narrator")
        .retention_notice(30);
    assert_eq!(voices.create(request).await.unwrap().id.to_string(), VOICE_ID);
    assert_eq!(voices.get(VOICE_ID).await.unwrap().name, "Narrator");
    let renamed = voices.update(VOICE_ID, VoiceUpdate::new().name("Storyteller").description("Warmer.")).await.unwrap();
    assert_eq!(renamed.name, "Storyteller");
    voices.delete(VOICE_ID).await.unwrap();
    let mut out = Vec::new();
    assert_eq!(voices.sample_to(VOICE_ID, &mut out).await.unwrap(), WAV.len() as u64);
    assert_eq!(out, WAV);
    let e = voices.sample("nope").await.unwrap_err();
    assert_eq!(e.api().unwrap().kind, ApiErrorKind::NotFound);
    for m in [list, create, get, update, delete, sample, missing] {
        m.assert_calls_async(1).await;
    }
    // Refused before sending.
    assert!(matches!(voices.list(VoiceFilter::new().limit(0)).await, Err(Error::InvalidRequest(_))));
    assert!(matches!(voices.create(VoiceRequest::new("x", b"")).await, Err(Error::InvalidRequest(_))));
    let long = "x".repeat(501);
    assert!(matches!(
        voices.update(VOICE_ID, VoiceUpdate::new().description(long)).await,
        Err(Error::InvalidRequest(_))
    ));
}

/// Against the embedded mock: each request is checked against the spec (multipart included).
#[tokio::test]
async fn against_the_mock() {
    let mock = mistral_mock::MockServer::start().await.unwrap();
    let client = mistral_sdk::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.base_url())
        .stream_idle_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let audio = client.audio();
    let request = || {
        TranscriptionRequest::from_bytes("voxtral-mini-latest", "hello.wav", WAV)
            .language("en")
            .timestamp_granularities([KnownTimestampGranularity::Segment])
    };
    let transcript = audio.transcribe(request()).await.unwrap();
    assert!(!transcript.model.is_empty());
    let events: Vec<_> = audio.transcribe_stream(request()).await.unwrap().collect().await;
    assert!(matches!(events.last(), Some(Ok(TranscriptionEvent::Done(_)))), "{events:?}");
    let sent = mock.received_for(&mistral_openapi::operations::AUDIO_API_V1_TRANSCRIPTIONS_POST);
    assert_eq!(sent[0].part_text("model"), Some("voxtral-mini-latest"));
    assert_eq!(sent[1].part_text("stream"), Some("true"));

    let speech = audio.speech(SpeechRequest::new("Hello")).await.unwrap();
    assert!(speech.audio().is_ok());
    let page = audio.voices().list(VoiceFilter::new().limit(10)).await.unwrap();
    let _ = page.items;
}
