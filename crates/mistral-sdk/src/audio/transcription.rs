//! Transcription: the [`TranscriptionRequest`] builder (a streamed multipart form) and the
//! typed events of its stream ([`TranscriptionEvent`]).

use std::path::PathBuf;

use bytes::Bytes;
use reqwest::multipart::Form;
use serde::Deserialize;
use serde_json::Value;
use tokio::io::AsyncRead;

use crate::error::{Error, Result};
use crate::events::{StreamEvent, data, raw_data};
use crate::transport::Body;
use crate::types::{TimestampGranularity, TranscriptionSegmentChunk, UsageInfo};
use crate::upload::{FilePart, Progress, Source};

/// What to transcribe.
enum Audio {
    File { source: Source, name: String },
    Url(String),
    FileId(String),
}

/// A transcription request: the audio (a local file, bytes, a reader, a URL or an uploaded
/// file) and options. The audio is streamed as the request is sent, never read whole into
/// memory, and sent again from the start if the request is retried (a reader, read once, is
/// not retried). Mistakes (a language that is not two letters, a context word with a comma
/// or a space, an empty URL) surface as [`Error::InvalidRequest`] when sent.
///
/// ```
/// use mistral_sdk::TranscriptionRequest;
/// use mistral_sdk::types::KnownTimestampGranularity;
///
/// let request = TranscriptionRequest::from_path("voxtral-mini-latest", "meeting.mp3")
///     .language("fr")
///     .diarize(true)
///     .timestamp_granularities([KnownTimestampGranularity::Segment])
///     .context_bias(["Mistral", "Voxtral"])
///     .on_progress(|sent, total| eprintln!("{sent}/{total:?} bytes"));
/// # let _ = request;
/// ```
pub struct TranscriptionRequest {
    model: String,
    audio: Audio,
    language: Option<String>,
    temperature: Option<f64>,
    diarize: Option<bool>,
    context_bias: Vec<String>,
    timestamp_granularities: Vec<String>,
    extra: Vec<(String, String)>,
    progress: Option<Progress>,
}

impl std::fmt::Debug for TranscriptionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let audio = match &self.audio {
            Audio::File { source, name } => format!("{name} ({})", source.describe()),
            Audio::Url(url) => format!("URL {url}"),
            Audio::FileId(id) => format!("file {id}"),
        };
        f.debug_struct("TranscriptionRequest")
            .field("model", &self.model)
            .field("audio", &audio)
            .field("language", &self.language)
            .field("temperature", &self.temperature)
            .field("diarize", &self.diarize)
            .field("context_bias", &self.context_bias)
            .field("timestamp_granularities", &self.timestamp_granularities)
            .field("extra", &self.extra)
            .finish()
    }
}

impl TranscriptionRequest {
    fn with(model: impl Into<String>, audio: Audio) -> TranscriptionRequest {
        TranscriptionRequest {
            model: model.into(),
            audio,
            language: None,
            temperature: None,
            diarize: None,
            context_bias: Vec::new(),
            timestamp_granularities: Vec::new(),
            extra: Vec::new(),
            progress: None,
        }
    }

    /// The audio file at `path` (MP3, WAV, M4A, FLAC, OGG...), streamed from disk.
    pub fn from_path(model: impl Into<String>, path: impl Into<PathBuf>) -> TranscriptionRequest {
        let path = path.into();
        let name = path.file_name().map_or_else(|| "audio".into(), |n| n.to_string_lossy().into_owned());
        TranscriptionRequest::with(model, Audio::File { source: Source::Path(path), name })
    }

    /// Audio in memory, under `file_name` (its extension gives the type sent).
    pub fn from_bytes(
        model: impl Into<String>,
        file_name: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> TranscriptionRequest {
        TranscriptionRequest::with(model, Audio::File { source: Source::Bytes(bytes.into()), name: file_name.into() })
    }

    /// Audio from a reader, under `file_name`; it can be read once, so the request is not
    /// retried.
    pub fn from_reader(
        model: impl Into<String>,
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
    ) -> TranscriptionRequest {
        TranscriptionRequest::with(model, Audio::File { source: Source::reader(reader), name: file_name.into() })
    }

    /// Audio the server fetches (`file_url`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::TranscriptionRequest;
    ///
    /// let request = TranscriptionRequest::from_url("voxtral-mini-latest", "https://example.com/talk.mp3");
    /// println!("{}", client.audio().transcribe(request).await?.text);
    /// # Ok(()) }
    /// ```
    pub fn from_url(model: impl Into<String>, url: impl Into<String>) -> TranscriptionRequest {
        TranscriptionRequest::with(model, Audio::Url(url.into()))
    }

    /// Audio uploaded before (`file_id`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::TranscriptionRequest;
    ///
    /// let request = TranscriptionRequest::from_file_id("voxtral-mini-latest", "497f6eca-6276-4993-bfeb-53cbbbba6f09");
    /// println!("{}", client.audio().transcribe(request).await?.text);
    /// # Ok(()) }
    /// ```
    pub fn from_file_id(model: impl Into<String>, file_id: impl std::fmt::Display) -> TranscriptionRequest {
        TranscriptionRequest::with(model, Audio::FileId(file_id.to_string()))
    }

    /// The spoken language, two letters (`en`, `fr`...); detected when not given.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sampling temperature.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Tells speakers apart (each segment's `speaker_id`).
    pub fn diarize(mut self, on: bool) -> Self {
        self.diarize = Some(on);
        self
    }

    /// Words to favour (names, jargon): one word each, no comma or space.
    pub fn context_bias(mut self, words: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.context_bias.extend(words.into_iter().map(Into::into));
        self
    }

    /// Timestamps per `segment` and/or `word` (`KnownTimestampGranularity`, or any other the
    /// server names).
    pub fn timestamp_granularities(
        mut self,
        granularities: impl IntoIterator<Item = impl Into<TimestampGranularity>>,
    ) -> Self {
        for granularity in granularities {
            self.timestamp_granularities.push(match granularity.into() {
                TimestampGranularity::Known(known) => known.to_string(),
                TimestampGranularity::Other(other) => other,
            });
        }
        self
    }

    /// Sends a form field this release does not name.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Called as the audio is sent, with the bytes sent so far and the total when known.
    pub fn on_progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(f));
        self
    }

    /// Checks what the server would refuse: an empty model, a language that is not two
    /// letters, a context word with a comma or a space, a URL empty or over 2083 characters.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.model.trim().is_empty() {
            problems.push("the model is empty".to_string());
        }
        if let Some(language) = &self.language
            && !(language.chars().count() == 2 && language.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            problems.push(format!("the language is two letters (en, fr...), not {language:?}"));
        }
        for word in &self.context_bias {
            if word.is_empty() || word.contains(|c: char| c == ',' || c.is_whitespace()) {
                problems.push(format!("context word {word:?}: one word, without commas or spaces"));
            }
        }
        if let Audio::Url(url) = &self.audio
            && !(1..=2083).contains(&url.len())
        {
            problems.push("the file URL has 1 to 2083 characters".into());
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }

    /// The multipart body, made again for each attempt.
    pub(crate) async fn into_body(self, stream: bool) -> Result<Body> {
        self.validate()?;
        let TranscriptionRequest {
            model,
            audio,
            language,
            temperature,
            diarize,
            context_bias,
            timestamp_granularities,
            extra,
            progress,
        } = self;
        let mut fields = vec![("model".to_string(), model)];
        let mut file = None;
        match audio {
            Audio::File { source, name } => {
                let mime = audio_mime(&name);
                file = Some(FilePart::new(source, name, progress).await?.mime(mime));
            }
            Audio::Url(url) => fields.push(("file_url".into(), url)),
            Audio::FileId(id) => fields.push(("file_id".into(), id)),
        }
        let optional = [
            ("language", language),
            ("temperature", temperature.map(|t| t.to_string())),
            ("diarize", diarize.map(|d| d.to_string())),
            ("stream", stream.then(|| "true".to_string())),
        ];
        fields.extend(optional.into_iter().filter_map(|(name, value)| Some((name.to_string(), value?))));
        // Lists go as repeated fields, as form data carries them.
        fields.extend(context_bias.into_iter().map(|w| ("context_bias".to_string(), w)));
        fields.extend(timestamp_granularities.into_iter().map(|g| ("timestamp_granularities".to_string(), g)));
        fields.extend(extra);
        let replayable = file.as_ref().is_none_or(FilePart::replayable);
        let make = move || -> Result<Form> {
            let mut form = Form::new();
            for (name, value) in &fields {
                form = form.text(name.clone(), value.clone());
            }
            if let Some(file) = &mut file {
                form = form.part("file", file.part()?);
            }
            Ok(form)
        };
        Ok(Body::Multipart { make: Box::new(make), replayable })
    }
}

/// The type of an audio file, by its extension.
fn audio_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" | "mp4" => "audio/mp4",
        "flac" => "audio/flac",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "webm" => "audio/webm",
        "aac" => "audio/aac",
        _ => "application/octet-stream",
    }
}

/// One event of a streamed transcription ([`Audio::transcribe_stream`](crate::Audio::transcribe_stream)).
/// An event of a kind this release does not know is kept as [`TranscriptionEvent::Other`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TranscriptionEvent {
    /// `transcription.language`: the language heard (two letters).
    Language(String),
    /// `transcription.text.delta`: the next piece of text.
    TextDelta(String),
    /// `transcription.segment`: a segment with its times (and speaker, with diarization).
    Segment(TranscriptionSegment),
    /// `transcription.done`: the whole text, its segments and the usage; the last event.
    Done(Box<TranscriptionDone>),
    /// An event of another kind, as sent.
    Other {
        /// The event's name (or its data's `type`).
        event: String,
        /// Its data (a JSON string when it is not JSON).
        data: Value,
    },
}

/// A segment of a streamed transcription.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TranscriptionSegment {
    /// What was said.
    pub text: String,
    /// Its start, in seconds.
    pub start: f64,
    /// Its end, in seconds.
    pub end: f64,
    /// Who said it (with diarization).
    #[serde(default)]
    pub speaker_id: Option<String>,
}

/// The end of a streamed transcription.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TranscriptionDone {
    /// The model.
    #[serde(default)]
    pub model: String,
    /// The whole text.
    #[serde(default)]
    pub text: String,
    /// The language heard.
    #[serde(default)]
    pub language: Option<String>,
    /// The segments, when asked for.
    #[serde(default)]
    pub segments: Vec<TranscriptionSegmentChunk>,
    /// Tokens and audio seconds counted.
    pub usage: UsageInfo,
}

impl StreamEvent for TranscriptionEvent {
    fn decode(name: &str, text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Language {
            audio_language: String,
        }
        #[derive(Deserialize)]
        struct Delta {
            text: String,
        }
        Ok(match name {
            "transcription.language" => TranscriptionEvent::Language(data::<Language>(text)?.audio_language),
            "transcription.text.delta" => TranscriptionEvent::TextDelta(data::<Delta>(text)?.text),
            "transcription.segment" => TranscriptionEvent::Segment(data(text)?),
            "transcription.done" => TranscriptionEvent::Done(Box::new(data(text)?)),
            other => TranscriptionEvent::Other { event: other.to_string(), data: raw_data(text) },
        })
    }

    fn is_last(&self) -> bool {
        matches!(self, TranscriptionEvent::Done(_))
    }
}
