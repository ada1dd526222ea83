//! Speech (text to speech): the [`SpeechRequest`] builder, [`SpeechResponseExt`] and the
//! typed events of its stream ([`SpeechEvent`]).

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::events::{StreamEvent, data, raw_data};
use crate::extra::Extra;
use crate::types::{
    MetadataDict, SpeechOutputFormat, SpeechRequest as WireSpeechRequest, SpeechRequestRefAudio, SpeechResponse,
    UsageInfo,
};

/// A speech request: the text, and the voice (a voice id, or a reference audio to imitate).
/// Only what you set is sent; a field this release does not name goes in with
/// [`SpeechRequest::extra`].
///
/// ```
/// use mistral_sdk::SpeechRequest;
/// use mistral_sdk::types::KnownSpeechOutputFormat;
///
/// let request = SpeechRequest::new("Bonjour et bienvenue !")
///     .model("voxtral-tts-latest")
///     .voice_id("7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b")
///     .response_format(KnownSpeechOutputFormat::Mp3);
/// assert_eq!(
///     serde_json::to_value(&request).unwrap(),
///     serde_json::json!({"input": "Bonjour et bienvenue !", "model": "voxtral-tts-latest",
///         "voice_id": "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b", "response_format": "mp3"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechRequest {
    pub(crate) inner: WireSpeechRequest,
    extra: Extra,
}

/// The wire request, with the [`extra`](SpeechRequest::extra) fields merged in.
impl serde::Serialize for SpeechRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.extra.serialize(&self.inner, serializer)
    }
}

impl From<WireSpeechRequest> for SpeechRequest {
    fn from(inner: WireSpeechRequest) -> Self {
        SpeechRequest { inner, extra: Extra::default() }
    }
}

impl SpeechRequest {
    /// Speaks `input`.
    pub fn new(input: impl Into<String>) -> SpeechRequest {
        WireSpeechRequest {
            input: input.into(),
            metadata: None,
            model: None,
            prompt_cache_key: None,
            ref_audio: None,
            response_format: None,
            stream: None,
            voice_id: None,
        }
        .into()
    }

    /// The model (server default when not set).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.inner.model = Some(model.into());
        self
    }

    /// The voice, by id (see [`Voices`](crate::Voices)).
    pub fn voice_id(mut self, voice_id: impl Into<String>) -> Self {
        self.inner.voice_id = Some(voice_id.into());
        self
    }

    /// A reference recording to imitate, base64-encoded.
    pub fn ref_audio(mut self, base64: impl Into<String>) -> Self {
        self.inner.ref_audio = Some(SpeechRequestRefAudio::Base64(base64.into()));
        self
    }

    /// A reference recording to imitate, from its bytes (sent base64-encoded).
    pub fn ref_audio_bytes(self, bytes: impl AsRef<[u8]>) -> Self {
        self.ref_audio(crate::base64::encode(bytes.as_ref()))
    }

    /// The audio format: `pcm`, `wav`, `mp3`, `flac`, `opus` (`KnownSpeechOutputFormat`).
    pub fn response_format(mut self, format: impl Into<SpeechOutputFormat>) -> Self {
        self.inner.response_format = Some(format.into());
        self
    }

    /// Adds metadata entries (your own tags for the request).
    pub fn metadata(mut self, entries: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>) -> Self {
        let map = &mut self.inner.metadata.get_or_insert_with(|| MetadataDict(Map::new())).0;
        map.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// A key grouping requests that share a prefix, for the server's cache.
    pub fn prompt_cache_key(mut self, key: impl Into<String>) -> Self {
        self.inner.prompt_cache_key = Some(key.into());
        self
    }

    /// Sets a body field this release does not name (or overrides one it does).
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// Checks what the server would refuse: no text.
    pub fn validate(&self) -> Result<()> {
        if self.inner.input.trim().is_empty() {
            return Err(Error::InvalidRequest("nothing to speak: the input is empty".into()));
        }
        Ok(())
    }
}

/// Reading a speech answer.
pub trait SpeechResponseExt {
    /// The audio's bytes, decoded from base64.
    fn audio(&self) -> Result<Vec<u8>>;
}

impl SpeechResponseExt for SpeechResponse {
    fn audio(&self) -> Result<Vec<u8>> {
        decode_audio(&self.audio_data)
    }
}

fn decode_audio(text: &str) -> Result<Vec<u8>> {
    crate::base64::decode(text).map_err(|why| {
        Error::decode(text.as_bytes(), <serde_json::Error as serde::de::Error>::custom(format!("audio_data: {why}")))
    })
}

/// One event of a speech stream ([`Audio::speech_stream`](crate::Audio::speech_stream)). An
/// event of a kind this release does not know is kept as [`SpeechEvent::Other`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SpeechEvent {
    /// `speech.audio.delta`: the next bytes of audio (decoded from base64).
    AudioDelta(Vec<u8>),
    /// `speech.audio.done`: the usage; the last event.
    Done {
        /// What was counted.
        usage: Box<UsageInfo>,
    },
    /// An event of another kind, as sent.
    Other {
        /// The event's name (or its data's `type`).
        event: String,
        /// Its data (a JSON string when it is not JSON).
        data: Value,
    },
}

impl StreamEvent for SpeechEvent {
    fn decode(name: &str, text: &str) -> Result<Self> {
        #[derive(serde::Deserialize)]
        struct Delta {
            audio_data: String,
        }
        #[derive(serde::Deserialize)]
        struct Done {
            usage: UsageInfo,
        }
        Ok(match name {
            "speech.audio.delta" => SpeechEvent::AudioDelta(decode_audio(&data::<Delta>(text)?.audio_data)?),
            "speech.audio.done" => SpeechEvent::Done { usage: Box::new(data::<Done>(text)?.usage) },
            other => SpeechEvent::Other { event: other.to_string(), data: raw_data(text) },
        })
    }

    fn is_last(&self) -> bool {
        matches!(self, SpeechEvent::Done { .. })
    }
}
