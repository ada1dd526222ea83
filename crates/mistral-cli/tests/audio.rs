//! `mistral transcribe`, `mistral speak`, `mistral voices`, in-process against the mock, whose
//! transcription of a WAV made by `mistral_mock::audio::wav_from_text` is that text, exactly.

mod common;

use common::{cli, mock, within};
use mistral_openapi::operations as ops;

#[tokio::test]
async fn transcribe_plain_streamed_and_with_timestamps() {
    within(30, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hello.wav");
        std::fs::write(&path, mistral_mock::audio::wav_from_text("Hello from Lyon. See you soon.")).unwrap();
        let wav = path.to_str().unwrap();

        assert_eq!(cli(&server, &["transcribe", wav]).await.ok(), "Hello from Lyon. See you soon.\n");
        assert_eq!(cli(&server, &["transcribe", wav, "--stream"]).await.ok(), "Hello from Lyon. See you soon.\n");
        let timed = cli(&server, &["transcribe", wav, "--timestamps", "--language", "en"]).await.ok().to_string();
        let lines: Vec<&str> = timed.lines().collect();
        assert!(lines.len() >= 2 && lines.iter().all(|l| l.starts_with("[00:")), "{timed}");
        assert!(lines[0].ends_with("] Hello from Lyon."), "{timed}");

        let sent = server.received_for(&ops::AUDIO_API_V1_TRANSCRIPTIONS_POST);
        assert_eq!(sent[0].part_text("model"), Some("voxtral-mini-latest"));
        assert!(sent[0].parts.iter().any(|p| p.name == "file" && p.filename.as_deref() == Some("hello.wav")));
        assert_eq!(sent[1].part_text("stream"), Some("true"));
        assert_eq!(sent[2].part_text("language"), Some("en"));
        assert_eq!(sent[2].part_text("timestamp_granularities"), Some("segment"));

        let missing = cli(&server, &["transcribe", "/nonexistent/a.wav"]).await;
        assert_eq!(missing.code, 1);
        assert!(missing.stderr.contains("a.wav"), "{}", missing.stderr);
    })
    .await;
}

#[tokio::test]
async fn speak_writes_audio_and_voices_come_and_go() {
    within(30, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.wav");
        let said =
            cli(&server, &["speak", "Bonjour tout le monde", "-o", out.to_str().unwrap()]).await.ok().to_string();
        assert!(said.starts_with(&format!("wrote {} (", out.display())), "{said}");
        let audio = std::fs::read(&out).unwrap();
        assert!(audio.starts_with(b"RIFF") && &audio[8..12] == b"WAVE", "a WAV file");
        // The mock's speech says the text: it transcribes back.
        let heard = cli(&server, &["transcribe", out.to_str().unwrap()]).await.ok().to_string();
        assert_eq!(heard, "Bonjour tout le monde\n");

        let created = cli(&server, &["voices", "create", "Narrator", out.to_str().unwrap(), "--language", "fr"])
            .await
            .ok()
            .to_string();
        let id = created.strip_prefix("created voice ").and_then(|r| r.split(' ').next()).expect("an id").to_string();
        assert!(cli(&server, &["voices", "list"]).await.ok().contains(&id));
        let shown = cli(&server, &["voices", "get", &id]).await.ok().to_string();
        assert!(shown.contains("Narrator") && shown.contains("fr"), "{shown}");
        let sample = dir.path().join("sample.wav");
        cli(&server, &["voices", "sample", &id, "-o", sample.to_str().unwrap()]).await.ok();
        assert_eq!(std::fs::read(&sample).unwrap(), audio, "the sample given back");
        assert_eq!(cli(&server, &["voices", "delete", &id]).await.ok(), format!("deleted voice {id}\n"));
        assert_eq!(cli(&server, &["voices", "get", &id]).await.code, 1);
    })
    .await;
}
