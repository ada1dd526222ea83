//! Audio: a WAV that carries text is transcribed back to it exactly (whole, timed, streamed),
//! other audio plausibly; speech is such a WAV; voices are created, listed, changed, deleted.

use mistral_mock::audio::{text_from_wav, wav_duration, wav_from_text};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{Mock, base64, named_events, unbase64, within};

const TRANSCRIBE: &str = "audio_api_v1_transcriptions_post";
const SPEECH: &str = "speech_v1_audio_speech_post";
const LIST: &str = "list_voices_v1_audio_voices_get";
const CREATE: &str = "create_voice_v1_audio_voices_post";
const GET: &str = "get_voice_v1_audio_voices__voice_id__get";
const UPDATE: &str = "update_voice_v1_audio_voices__voice_id__patch";
const DELETE: &str = "delete_voice_v1_audio_voices__voice_id__delete";
const SAMPLE: &str = "get_voice_sample_audio_v1_audio_voices__voice_id__sample_get";
const MODEL: &str = "voxtral-mini-latest";

const SAID: &str = "Hello there. How are you today?";

/// A transcription form with this audio file and these other fields (a field given twice is
/// an array).
fn form(audio: Vec<u8>, name: &str, fields: &[(&str, &str)]) -> Form {
    let mut form = Form::new().part("file", Part::bytes(audio).file_name(name.to_string()));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

async fn transcribe(m: &Mock, form: Form) -> crate::Reply {
    m.call(TRANSCRIBE, m.request(Method::POST, "/v1/audio/transcriptions").multipart(form)).await
}

fn texts(segments: &Value) -> Vec<&str> {
    segments.as_array().into_iter().flatten().filter_map(|s| s["text"].as_str()).collect()
}

#[tokio::test]
async fn a_wav_that_carries_text_is_transcribed_back_exactly() {
    within(20, async {
        let m = Mock::start().await;
        let r = transcribe(&m, form(wav_from_text(SAID), "said.wav", &[("model", MODEL)])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["text"], SAID);
        assert_eq!(
            (&r.body["model"], &r.body["language"], &r.body["segments"]),
            (&json!(MODEL), &json!("en"), &json!([]))
        );
        // 31 bytes of text: 31/16 s of audio, billed as 2.
        assert_eq!(r.body["usage"]["prompt_audio_seconds"], 2);
        assert_eq!(r.body["usage"]["completion_tokens"], 8);
        assert_eq!(r.body["usage"]["prompt_tokens"], 4);
        assert_eq!(r.body["usage"]["total_tokens"], 4 + 8 + 2 * 75);

        // Timed by sentence: a byte of text is 1/16 s.
        let r = transcribe(
            &m,
            form(wav_from_text(SAID), "said.wav", &[("model", MODEL), ("timestamp_granularities", "segment")]),
        )
        .await;
        assert_eq!(
            r.body["segments"],
            json!([{"type": "transcription_segment", "text": "Hello there.", "start": 0.0, "end": 0.75},
                   {"type": "transcription_segment", "text": "How are you today?", "start": 0.813, "end": 1.938}])
        );
        // By word, the language given, two speakers with diarize (a turn per line).
        let fields = [("model", MODEL), ("timestamp_granularities[]", "word"), ("language", "fr"), ("diarize", "true")];
        let r = transcribe(&m, form(wav_from_text("Bonjour.\nSalut toi."), "said.wav", &fields)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["language"], "fr");
        assert_eq!(texts(&r.body["segments"]), ["Bonjour.", "Salut", "toi."]);
        let speakers: Vec<&str> =
            r.body["segments"].as_array().into_iter().flatten().filter_map(|s| s["speaker_id"].as_str()).collect();
        assert_eq!(speakers, ["speaker_1", "speaker_2", "speaker_2"]);
        assert_eq!(
            transcribe(&m, form(wav_from_text("Bonjour, je suis là et vous ?"), "x.wav", &[("model", MODEL)]))
                .await
                .body["language"],
            "fr"
        );

        // From an uploaded file, or a data URL.
        let part = Part::bytes(wav_from_text(SAID)).file_name("said.wav");
        let up = Form::new().text("purpose", "ocr").part("file", part);
        let file = m.call("files_api_routes_upload_file", m.request(Method::POST, "/v1/files").multipart(up)).await;
        let id = file.body["id"].as_str().expect("id").to_string();
        let by_id = Form::new().text("model", MODEL).text("file_id", id);
        assert_eq!(transcribe(&m, by_id).await.body["text"], SAID);
        let url = format!("data:audio/wav;base64,{}", base64(&wav_from_text(SAID)));
        let by_url = Form::new().text("model", MODEL).text("file_url", url);
        assert_eq!(transcribe(&m, by_url).await.body["text"], SAID);
    })
    .await;
}

#[tokio::test]
async fn the_stream_sends_language_deltas_segments_then_done() {
    within(20, async {
        let m = Mock::start().await;
        let fields = [("model", MODEL), ("stream", "true"), ("timestamp_granularities", "segment")];
        let response = m
            .request(Method::POST, "/v1/audio/transcriptions")
            .multipart(form(wav_from_text(SAID), "said.wav", &fields))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let events = named_events(TRANSCRIBE, &response.text().await.expect("body"));
        for (name, data) in &events {
            assert_eq!(data["type"], name.as_str(), "the event is named after its data's type");
        }
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        let delta = "transcription.text.delta";
        let mut expected = vec!["transcription.language"];
        expected.extend([delta; 3]);
        expected.push("transcription.segment");
        expected.extend([delta; 5]);
        expected.extend(["transcription.segment", "transcription.done"]);
        assert_eq!(names, expected);
        assert_eq!(events[0].1["audio_language"], "en");
        let streamed: String =
            events.iter().filter(|(n, _)| n == delta).filter_map(|(_, d)| d["text"].as_str()).collect();
        assert_eq!(streamed, SAID);
        assert_eq!(
            events[4].1,
            json!({"type": "transcription.segment", "text": "Hello there.", "start": 0.0, "end": 0.75})
        );
        let done = &events.last().expect("done").1;
        assert_eq!(
            (&done["text"], &done["model"], &done["usage"]["prompt_audio_seconds"]),
            (&json!(SAID), &json!(MODEL), &json!(2))
        );
        assert_eq!(texts(&done["segments"]), ["Hello there.", "How are you today?"]);

        // Without timestamps: no segment events, no segments in done.
        let response = m
            .request(Method::POST, "/v1/audio/transcriptions")
            .multipart(form(wav_from_text("Hi."), "hi.wav", &[("model", MODEL), ("stream", "true")]))
            .send()
            .await
            .expect("sent");
        let events = named_events(TRANSCRIBE, &response.text().await.expect("body"));
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["transcription.language", delta, delta, "transcription.done"]);
        assert!(events[3].1.get("segments").is_none());
    })
    .await;
}

#[tokio::test]
async fn other_audio_gets_plausible_text_and_bad_forms_are_refused() {
    within(20, async {
        let m = Mock::start().await;
        let mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00some frames".to_vec();
        let r = transcribe(&m, form(mp3.clone(), "a.mp3", &[("model", MODEL)])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let text = r.body["text"].as_str().expect("text").to_string();
        assert!(text.ends_with('.') && text.len() > 10, "{text}");
        assert_eq!(r.body["usage"]["prompt_audio_seconds"], 1);
        assert_eq!(transcribe(&m, form(mp3, "a.mp3", &[("model", MODEL)])).await.body["text"], text, "deterministic");
        // A plain WAV of 4 s: its duration, from the header.
        let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0data".to_vec();
        wav.extend_from_slice(&128_000u32.to_le_bytes());
        wav.extend(vec![0u8; 128_000]);
        assert_eq!(wav_duration(&wav), Some(4.0));
        assert_eq!(text_from_wav(&wav), None);
        let r = transcribe(&m, form(wav, "quiet.wav", &[("model", MODEL)])).await;
        assert_eq!(r.body["usage"]["prompt_audio_seconds"], 4);

        let r = transcribe(&m, form(wav_from_text("x"), "x.wav", &[])).await;
        assert_eq!((r.status.as_u16(), &r.body["message"]["detail"][0]["loc"]), (422, &json!(["body", "model"])));
        let r = transcribe(&m, form(wav_from_text("x"), "x.wav", &[("model", "mistral-small-latest")])).await;
        assert_eq!(r.status, 400);
        let r = transcribe(&m, Form::new().text("model", MODEL)).await;
        assert_eq!(r.status, 400);
        let r = transcribe(&m, form(wav_from_text("x"), "x.wav", &[("model", MODEL), ("language", "french")])).await;
        assert_eq!(r.status, 422);
        let r = transcribe(
            &m,
            form(wav_from_text("x"), "x.wav", &[("model", MODEL), ("timestamp_granularities", "minute")]),
        )
        .await;
        assert_eq!(r.status, 422);
    })
    .await;
}

#[tokio::test]
async fn speech_is_a_wav_that_says_the_input() {
    within(20, async {
        let m = Mock::start().await;
        let input = "Bonjour et bienvenue.";
        let r = m.post(SPEECH, "/v1/audio/speech", json!({"input": input, "model": "voxtral-mini-tts-latest"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let audio = unbase64(r.body["audio_data"].as_str().expect("audio"));
        assert_eq!(audio, wav_from_text(input));
        // Round trip: transcribing it gives the input back.
        let back = transcribe(&m, form(audio.clone(), "speech.wav", &[("model", MODEL)])).await;
        assert_eq!((&back.body["text"], &back.body["language"]), (&json!(input), &json!("fr")));
        let pcm = m.post(SPEECH, "/v1/audio/speech", json!({"input": input, "response_format": "pcm"})).await;
        let samples = unbase64(pcm.body["audio_data"].as_str().expect("audio"));
        assert_eq!(samples.len(), input.len() * 2000);
        assert!(audio.ends_with(&samples));

        let (status, headers, body) = m.stream("/v1/audio/speech", json!({"input": input, "stream": true})).await;
        assert_eq!((status.as_u16(), headers["content-type"].to_str().ok()), (200, Some("text/event-stream")));
        let events = named_events(SPEECH, &body);
        let (last, deltas) = events.split_last().expect("events");
        assert_eq!(last.0, "speech.audio.done");
        assert_eq!(last.1["usage"]["prompt_tokens"], 4);
        assert!(deltas.iter().all(|(n, _)| n == "speech.audio.delta"));
        let joined: Vec<u8> =
            deltas.iter().flat_map(|(_, d)| unbase64(d["audio_data"].as_str().unwrap_or_default())).collect();
        assert_eq!(joined, audio);
        assert!(deltas.len() > 1);

        let long = m.post(SPEECH, "/v1/audio/speech", json!({"input": "x".repeat(4097)})).await;
        assert_eq!(
            (long.status.as_u16(), &long.body["message"]["detail"][0]["type"]),
            (422, &json!("string_too_long"))
        );
        let r = m.post(SPEECH, "/v1/audio/speech", json!({"input": "x", "model": "voxtral-mini-latest"})).await;
        assert_eq!(r.status, 400);
        let r = m
            .post(SPEECH, "/v1/audio/speech", json!({"input": "x", "voice_id": "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b"}))
            .await;
        assert_eq!(r.status, 404);
    })
    .await;
}

#[tokio::test]
async fn voices_are_created_listed_changed_and_deleted() {
    within(20, async {
        let m = Mock::start().await;
        let presets = m.get(LIST, "/v1/audio/voices").await;
        assert_eq!(presets.status, 200, "{}", presets.text);
        assert_eq!(
            (&presets.body["total"], &presets.body["page"], &presets.body["page_size"]),
            (&json!(4), &json!(0), &json!(10))
        );
        let preset = presets.body["items"][0].clone();
        assert_eq!(
            (&preset["type"], &preset["name"], &preset["user_id"]),
            (&json!("preset"), &json!("Marie"), &Value::Null)
        );

        let sample = wav_from_text("This is my voice.");
        let created = m
            .post(
                CREATE,
                "/v1/audio/voices",
                json!({"name": "Narrator", "languages": ["en", "fr"], "gender": "female", "age": 40, "tags": ["calm"],
                       "description": "A calm narrator", "sample_audio": base64(&sample), "sample_filename": "n.wav"}),
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
        let voice = &created.body;
        let id = voice["id"].as_str().expect("id").to_string();
        assert_eq!(
            (&voice["type"], &voice["slug"], &voice["retention_notice"]),
            (&json!("custom"), &json!("narrator"), &json!(30))
        );
        assert_eq!(
            (&voice["languages"], &voice["age"], &voice["trimmed_seconds"]),
            (&json!(["en", "fr"]), &json!(40), &json!(17.0 / 16.0))
        );
        assert!(voice["user_id"].as_str().is_some_and(|u| u.len() == 8), "{voice}");
        assert_eq!(m.get(GET, &format!("/v1/audio/voices/{id}")).await.body, *voice);

        let custom = m.get(LIST, "/v1/audio/voices?type=custom").await;
        assert_eq!((&custom.body["total"], &custom.body["items"][0]["id"]), (&json!(1), &json!(id)));
        let page = m.get(LIST, "/v1/audio/voices?limit=2&offset=4").await;
        assert_eq!(
            (&page.body["total"], &page.body["page"], &page.body["total_pages"]),
            (&json!(5), &json!(2), &json!(3))
        );
        assert_eq!(page.body["items"][0]["id"], json!(id));
        assert_eq!(m.get(LIST, "/v1/audio/voices?type=robot").await.status, 422);
        assert_eq!(m.get(LIST, "/v1/audio/voices?limit=101").await.status, 422);

        let path = format!("/v1/audio/voices/{id}");
        let changed = m
            .call(
                UPDATE,
                m.request(Method::PATCH, &path)
                    .json(&json!({"name": "Storyteller", "tags": ["calm", "warm"], "age": null})),
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert_eq!(
            (&changed.body["name"], &changed.body["tags"], &changed.body["age"]),
            (&json!("Storyteller"), &json!(["calm", "warm"]), &Value::Null)
        );
        assert_eq!(changed.body["description"], "A calm narrator", "kept");

        let got = m.get(SAMPLE, &format!("{path}/sample")).await;
        assert_eq!((got.status.as_u16(), got.content_type()), (200, "audio/wav"));
        let downloaded =
            m.request(Method::GET, &format!("{path}/sample")).send().await.expect("sent").bytes().await.expect("bytes");
        assert_eq!(downloaded.as_ref(), sample.as_slice());
        let preset_id = preset["id"].as_str().expect("id");
        let preset_sample =
            m.request(Method::GET, &format!("/v1/audio/voices/{preset_id}/sample")).send().await.expect("sent");
        let preset_bytes = preset_sample.bytes().await.expect("bytes");
        assert_eq!(text_from_wav(&preset_bytes).as_deref(), Some("Bonjour, je suis Marie."));

        // Speech in that voice.
        let said = m.post(SPEECH, "/v1/audio/speech", json!({"input": "Once upon a time.", "voice_id": id})).await;
        assert_eq!(said.status, 200);

        let deleted = m.delete(DELETE, &path).await;
        assert_eq!((deleted.status.as_u16(), &deleted.body["name"]), (200, &json!("Storyteller")));
        assert_eq!(m.get(GET, &path).await.status, 404);
        assert_eq!(m.delete(DELETE, &path).await.status, 404);
        assert_eq!(m.get(SAMPLE, &format!("{path}/sample")).await.status, 404);
        assert_eq!(m.delete(DELETE, &format!("/v1/audio/voices/{preset_id}")).await.status, 400);
        assert_eq!(m.delete(DELETE, "/v1/audio/voices/not-a-uuid").await.status, 422);
        let r = m.post(CREATE, "/v1/audio/voices", json!({"name": "Empty", "sample_audio": ""})).await;
        assert_eq!(r.status, 422);
        assert_eq!(m.get(LIST, "/v1/audio/voices").await.body["total"], 4);
    })
    .await;
}
