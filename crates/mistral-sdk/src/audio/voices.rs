//! `/v1/audio/voices`: [`Voices`] (list, get, create, update, delete, sample), the
//! [`VoiceRequest`] and [`VoiceUpdate`] builders and [`VoiceFilter`].

use std::borrow::Cow;

use reqwest::header::HeaderValue;
use tokio::io::AsyncWrite;

use mistral_openapi::operations as ops;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::files::Download;
use crate::pending::Pending;
use crate::transport::Call;
use crate::types::{
    AudioType, VoiceCreateRequest, VoiceCreateRequestDescription, VoiceListResponse, VoiceResponse, VoiceUpdateRequest,
    VoiceUpdateRequestDescription,
};

/// Voices for speech: the service's presets and your custom ones. Get it from
/// [`Audio::voices`](crate::Audio::voices).
#[derive(Debug, Clone)]
pub struct Voices<'c> {
    pub(crate) client: Cow<'c, Client>,
}

const WAV: HeaderValue = HeaderValue::from_static("audio/wav");

impl<'c> Voices<'c> {
    /// One page of voices (`list_voices_v1_audio_voices_get`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::VoiceFilter;
    /// use mistral_sdk::types::KnownAudioType;
    ///
    /// let page = client.audio().voices().list(VoiceFilter::new().kind(KnownAudioType::Custom).limit(20)).await?;
    /// for voice in page.items {
    ///     println!("{} {} {:?}", voice.id, voice.name, voice.languages);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, filter: VoiceFilter) -> Pending<'c, VoiceListResponse> {
        let call = Call::new(&ops::LIST_VOICES_V1_AUDIO_VOICES_GET)
            .query("limit", filter.limit)
            .query("offset", filter.offset)
            .query("type", filter.kind);
        Pending::new(&self.client, filter.problem.map_or(Ok(call), |p| Err(Error::InvalidRequest(p))))
    }

    /// One voice (`get_voice_v1_audio_voices__voice_id__get`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let voice = client.audio().voices().get("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// println!("{} ({:?})", voice.name, voice.languages);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, voice_id: impl std::fmt::Display) -> Pending<'c, VoiceResponse> {
        let id = voice_id.to_string();
        Pending::new(&self.client, Ok(Call::with_path(&ops::GET_VOICE_V1_AUDIO_VOICES_VOICE_ID_GET, &[&id])))
    }

    /// Creates a custom voice from a sample recording (`create_voice_v1_audio_voices_post`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::VoiceRequest;
    ///
    /// let voice = VoiceRequest::from_path("Narrator", "narrator.wav")?.languages(["en", "fr"]).gender("female");
    /// let voice = client.audio().voices().create(voice).await?;
    /// println!("created {}", voice.id);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, voice: VoiceRequest) -> Pending<'c, VoiceResponse> {
        let call = voice.build().and_then(|body| Call::new(&ops::CREATE_VOICE_V1_AUDIO_VOICES_POST).json(&body));
        Pending::new(&self.client, call)
    }

    /// Changes a custom voice's metadata (`update_voice_v1_audio_voices__voice_id__patch`):
    /// only the fields set are sent.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::VoiceUpdate;
    ///
    /// let id = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
    /// let voice = client.audio().voices().update(id, VoiceUpdate::new().name("narrator")).await?;
    /// assert_eq!(voice.name, "narrator");
    /// # Ok(()) }
    /// ```
    pub fn update(&self, voice_id: impl std::fmt::Display, update: VoiceUpdate) -> Pending<'c, VoiceResponse> {
        let id = voice_id.to_string();
        let call = update
            .build()
            .and_then(|body| Call::with_path(&ops::UPDATE_VOICE_V1_AUDIO_VOICES_VOICE_ID_PATCH, &[&id]).json(&body));
        Pending::new(&self.client, call)
    }

    /// Deletes a custom voice (`delete_voice_v1_audio_voices__voice_id__delete`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let gone = client.audio().voices().delete("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// println!("deleted {}", gone.name);
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, voice_id: impl std::fmt::Display) -> Pending<'c, VoiceResponse> {
        let id = voice_id.to_string();
        Pending::new(&self.client, Ok(Call::with_path(&ops::DELETE_VOICE_V1_AUDIO_VOICES_VOICE_ID_DELETE, &[&id])))
    }

    /// A voice's sample recording
    /// (`get_voice_sample_audio_v1_audio_voices__voice_id__sample_get`), as a stream of chunks
    /// read as it is polled (see [`Download`]).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let sample = client.audio().voices().sample("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// let mut file = tokio::fs::File::create("sample.wav").await.expect("a file to write");
    /// let bytes = sample.write_to(&mut file).await?;
    /// println!("{bytes} bytes of WAV");
    /// # Ok(()) }
    /// ```
    pub async fn sample(&self, voice_id: impl std::fmt::Display) -> Result<Download> {
        let id = voice_id.to_string();
        let call = Call::with_path(&ops::GET_VOICE_SAMPLE_AUDIO_V1_AUDIO_VOICES_VOICE_ID_SAMPLE_GET, &[&id]);
        self.client.download(call, WAV).await
    }

    /// Downloads a voice's sample into `writer`, chunk by chunk, and gives the number of bytes
    /// written.
    pub async fn sample_to<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        voice_id: impl std::fmt::Display,
        writer: &mut W,
    ) -> Result<u64> {
        self.sample(voice_id).await?.write_to(writer).await
    }
}

/// Which voices [`Voices::list`] gives. Only what is set is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceFilter {
    limit: Option<u64>,
    offset: Option<u64>,
    kind: Option<String>,
    problem: Option<String>,
}

impl VoiceFilter {
    /// Every voice, the server's first page.
    pub fn new() -> VoiceFilter {
        VoiceFilter::default()
    }

    /// At most this many voices, 1..=100.
    pub fn limit(mut self, limit: u64) -> Self {
        if !(1..=100).contains(&limit) {
            self.problem = Some(format!("limit must be in 1..=100, is {limit}"));
        }
        self.limit = Some(limit);
        self
    }

    /// Skips this many voices.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Only `preset` or `custom` voices (`KnownAudioType`; `all` for both).
    pub fn kind(mut self, kind: impl Into<AudioType>) -> Self {
        self.kind = Some(match kind.into() {
            AudioType::Known(known) => known.to_string(),
            AudioType::Other(other) => other,
        });
        self
    }
}

/// A custom voice to create: a name and a sample recording (sent base64-encoded), and what
/// describes it. Mistakes (an empty name or sample, a description over 500 characters)
/// surface as [`Error::InvalidRequest`] when sent.
///
/// ```
/// use mistral_sdk::VoiceRequest;
///
/// let voice = VoiceRequest::new("Narrator", b"RIFF....WAVE".to_vec()).sample_filename("narrator.wav").tags(["calm"]);
/// let wire = serde_json::to_value(voice.build().unwrap()).unwrap();
/// assert_eq!(wire["sample_audio"], "UklGRi4uLi5XQVZF");
/// assert_eq!(wire["tags"], serde_json::json!(["calm"]));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceRequest {
    inner: VoiceCreateRequest,
    description: Option<String>,
}

impl VoiceRequest {
    /// A voice named `name` from the bytes of a sample recording.
    pub fn new(name: impl Into<String>, sample: impl AsRef<[u8]>) -> VoiceRequest {
        VoiceRequest {
            inner: VoiceCreateRequest {
                age: None,
                color: None,
                description: None,
                gender: None,
                languages: Vec::new(),
                name: name.into(),
                retention_notice: None,
                sample_audio: crate::base64::encode(sample.as_ref()),
                sample_filename: None,
                slug: None,
                tags: None,
            },
            description: None,
        }
    }

    /// A voice from a sample recording file, read now; its name is the sample's file name.
    pub fn from_path(name: impl Into<String>, path: impl AsRef<std::path::Path>) -> Result<VoiceRequest> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        let voice = VoiceRequest::new(name, bytes);
        Ok(match path.file_name() {
            Some(file) => voice.sample_filename(file.to_string_lossy()),
            None => voice,
        })
    }

    /// The sample's file name.
    pub fn sample_filename(mut self, name: impl Into<String>) -> Self {
        self.inner.sample_filename = Some(name.into());
        self
    }

    /// A short identifier.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.inner.slug = Some(slug.into());
        self
    }

    /// The languages it speaks.
    pub fn languages(mut self, languages: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.inner.languages = languages.into_iter().map(Into::into).collect();
        self
    }

    /// Its gender.
    pub fn gender(mut self, gender: impl Into<String>) -> Self {
        self.inner.gender = Some(gender.into());
        self
    }

    /// Its apparent age.
    pub fn age(mut self, age: i64) -> Self {
        self.inner.age = Some(age);
        self
    }

    /// Tags.
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.inner.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// A colour, for displays.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.inner.color = Some(color.into());
        self
    }

    /// A description (at most 500 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// How long the sample is kept.
    pub fn retention_notice(mut self, value: i64) -> Self {
        self.inner.retention_notice = Some(value);
        self
    }

    /// The wire request, or what is wrong with it.
    pub fn build(self) -> Result<VoiceCreateRequest> {
        let mut inner = self.inner;
        let mut problems = Vec::new();
        if inner.name.trim().is_empty() {
            problems.push("the voice's name is empty".to_string());
        }
        if inner.sample_audio.is_empty() {
            problems.push("the sample recording is empty".into());
        }
        if let Some(text) = self.description {
            match VoiceCreateRequestDescription::try_from(text.as_str()) {
                Ok(d) => inner.description = Some(d),
                Err(_) => problems.push("the description has at most 500 characters".into()),
            }
        }
        if problems.is_empty() { Ok(inner) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }
}

/// Changes to a custom voice: only the fields set are sent.
///
/// ```
/// use mistral_sdk::VoiceUpdate;
///
/// let update = VoiceUpdate::new().name("Storyteller").tags(["warm"]);
/// assert_eq!(
///     serde_json::to_value(update.build().unwrap()).unwrap(),
///     serde_json::json!({"name": "Storyteller", "tags": ["warm"]})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceUpdate {
    name: Option<String>,
    languages: Option<Vec<String>>,
    gender: Option<String>,
    age: Option<i64>,
    tags: Option<Vec<String>>,
    description: Option<String>,
}

impl VoiceUpdate {
    /// No change yet.
    pub fn new() -> VoiceUpdate {
        VoiceUpdate::default()
    }

    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// New languages.
    pub fn languages(mut self, languages: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.languages = Some(languages.into_iter().map(Into::into).collect());
        self
    }

    /// A new gender.
    pub fn gender(mut self, gender: impl Into<String>) -> Self {
        self.gender = Some(gender.into());
        self
    }

    /// A new age.
    pub fn age(mut self, age: i64) -> Self {
        self.age = Some(age);
        self
    }

    /// New tags.
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// A new description (at most 500 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The wire request, or what is wrong with it.
    pub fn build(self) -> Result<VoiceUpdateRequest> {
        let description = match self.description {
            Some(text) => Some(
                VoiceUpdateRequestDescription::try_from(text.as_str())
                    .map_err(|_| Error::InvalidRequest("the description has at most 500 characters".into()))?,
            ),
            None => None,
        };
        Ok(VoiceUpdateRequest {
            age: self.age,
            description,
            gender: self.gender,
            languages: self.languages,
            name: self.name,
            tags: self.tags,
        })
    }
}
