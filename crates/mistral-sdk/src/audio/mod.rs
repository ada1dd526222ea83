//! `/v1/audio`: [`Audio`]: transcription (plain and streamed), speech (plain, to a writer,
//! streamed) and [`Voices`].

mod speech;
mod transcription;
mod voices;

pub use speech::{SpeechEvent, SpeechRequest, SpeechResponseExt};
pub use transcription::{TranscriptionDone, TranscriptionEvent, TranscriptionRequest, TranscriptionSegment};
pub use voices::{VoiceFilter, VoiceRequest, VoiceUpdate, Voices};

use futures::StreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use mistral_openapi::operations as ops;

use crate::error::{Error, Result};
use crate::events::EventStream;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{SpeechResponse, TranscriptionResponse, UsageInfo};

group!(
    /// Audio: speech to text (transcription, plain or streamed), text to speech, and voices.
    Audio,
    audio
);

impl<'c> Audio<'c> {
    /// Transcribes audio (`audio_api_v1_transcriptions_post`), sent as a streamed multipart
    /// form (see [`TranscriptionRequest`]).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::TranscriptionRequest;
    /// use mistral_sdk::types::KnownTimestampGranularity;
    ///
    /// let request = TranscriptionRequest::from_path("voxtral-mini-latest", "meeting.mp3")
    ///     .language("en")
    ///     .timestamp_granularities([KnownTimestampGranularity::Segment]);
    /// let transcript = client.audio().transcribe(request).await?;
    /// println!("{}", transcript.text);
    /// for segment in &transcript.segments {
    ///     println!("[{:.1}s - {:.1}s] {}", segment.start, segment.end, segment.text);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn transcribe(&self, request: TranscriptionRequest) -> Pending<'c, TranscriptionResponse> {
        Pending::later(&self.client, async move {
            let mut call = Call::new(&ops::AUDIO_API_V1_TRANSCRIPTIONS_POST);
            call.body = request.into_body(false).await?;
            Ok(call)
        })
    }

    /// Transcribes audio as a stream of named events (`stream=true`): the language, text
    /// deltas, segments, and the whole text with the usage at the end (see
    /// [`TranscriptionEvent`]). An error status is returned here, before the stream starts.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::{TranscriptionEvent, TranscriptionRequest};
    ///
    /// let request = TranscriptionRequest::from_url("voxtral-mini-latest", "https://example.com/talk.mp3");
    /// let mut events = client.audio().transcribe_stream(request).await?;
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         TranscriptionEvent::TextDelta(text) => print!("{text}"),
    ///         TranscriptionEvent::Done(done) => println!("\n({} tokens)", done.usage.total_tokens),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn transcribe_stream(&self, request: TranscriptionRequest) -> Result<EventStream<TranscriptionEvent>> {
        let mut call = Call::new(&ops::AUDIO_API_V1_TRANSCRIPTIONS_POST);
        call.body = request.into_body(true).await?;
        call.stream = true;
        self.client.events(call).await
    }

    /// Speaks a text (`speech_v1_audio_speech_post`); the audio comes base64-encoded in
    /// `audio_data` (read it with [`SpeechResponseExt::audio`]).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{SpeechRequest, SpeechResponseExt};
    ///
    /// let speech = client.audio().speech(SpeechRequest::new("Hello!").voice_id("7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b")).await?;
    /// std::fs::write("hello.mp3", speech.audio()?).map_err(|e| mistral_sdk::Error::Io { path: "hello.mp3".into(), source: e })?;
    /// # Ok(()) }
    /// ```
    pub fn speech(&self, request: impl Into<SpeechRequest>) -> Pending<'c, SpeechResponse> {
        let mut request = request.into();
        request.inner.stream = None;
        self.pending(request.validate().and_then(|()| Call::new(&ops::SPEECH_V1_AUDIO_SPEECH_POST).json(&request)))
    }

    /// Speaks a text and gives the audio's bytes.
    pub async fn speech_audio(&self, request: impl Into<SpeechRequest>) -> Result<Vec<u8>> {
        self.speech(request).await?.audio()
    }

    /// Speaks a text into `writer` (a file, a socket...), as the audio arrives (from the
    /// stream variant), and gives the usage.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::SpeechRequest;
    ///
    /// let mut out = tokio::fs::File::create("welcome.mp3").await.map_err(|e| mistral_sdk::Error::Io { path: "welcome.mp3".into(), source: e })?;
    /// let usage = client.audio().speech_to(SpeechRequest::new("Welcome!"), &mut out).await?;
    /// println!("{:?} tokens", usage.map(|u| u.total_tokens));
    /// # Ok(()) }
    /// ```
    pub async fn speech_to<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        request: impl Into<SpeechRequest>,
        writer: &mut W,
    ) -> Result<Option<UsageInfo>> {
        let write_error = |source| Error::Io { path: "the speech's destination".into(), source };
        let mut events = self.speech_stream(request).await?;
        let mut usage = None;
        while let Some(event) = events.next().await {
            match event? {
                SpeechEvent::AudioDelta(bytes) => writer.write_all(&bytes).await.map_err(write_error)?,
                SpeechEvent::Done { usage: u } => usage = Some(*u),
                SpeechEvent::Other { .. } => {}
            }
        }
        writer.flush().await.map_err(write_error)?;
        Ok(usage)
    }

    /// Speaks a text as a stream of named events (`stream: true`): audio deltas, then the
    /// usage (see [`SpeechEvent`]). An error status is returned here, before the stream starts.
    pub async fn speech_stream(&self, request: impl Into<SpeechRequest>) -> Result<EventStream<SpeechEvent>> {
        let mut request = request.into();
        request.validate()?;
        request.inner.stream = Some(true);
        self.client.events(Call::completion(&ops::SPEECH_V1_AUDIO_SPEECH_POST, &request, true)?).await
    }

    /// Voices: list, get, create, update, delete, and their sample recordings.
    pub fn voices(&self) -> Voices<'c> {
        Voices { client: self.client.clone() }
    }
}

impl EventStream<TranscriptionEvent> {
    /// Only the text, delta by delta.
    pub fn text(self) -> impl futures::Stream<Item = Result<String>> + Send + 'static {
        self.filter_map(|event| async move {
            match event {
                Ok(TranscriptionEvent::TextDelta(text)) => Some(Ok(text)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            }
        })
    }
}
