//! Audio: transcription (multipart, streamed as named events on request), speech, and voices.

pub(crate) mod speech;
pub(crate) mod transcriptions;
pub(crate) mod voices;
