//! `/v1/moderations`, `/v1/chat/moderations`, `/v1/classifications`,
//! `/v1/chat/classifications`: [`Classifiers`], the [`ModerationsRequest`] and
//! [`ClassificationsRequest`] builders, typed [`ModerationCategory`]s and the reading helpers.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use mistral_openapi::operations::{self as ops, Operation};

use crate::error::{Error, Result};
use crate::extra::Extra;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{
    ClassificationResponse, ClassificationTargetResult, InstructRequest, Messages, ModerationObject, ModerationResponse,
};

group!(
    /// Moderation (per-category scores and flags) and classification with classifier models,
    /// of texts and of conversations.
    Classifiers,
    classifiers
);

impl<'c> Classifiers<'c> {
    /// Moderates texts (`moderations_v1_moderations_post`) or conversations
    /// (`chat_moderations_v1_chat_moderations_post`): one result per text or conversation.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{ChatRequest, ModerationCategory, ModerationExt, ModerationsRequest};
    ///
    /// let response = client
    ///     .classifiers()
    ///     .moderate(ModerationsRequest::texts("mistral-moderation-latest", ["Hello!", "I will find you."]))
    ///     .await?;
    /// for result in &response.results {
    ///     println!("flagged: {}, top: {:?}", result.flagged(), result.top_category());
    /// }
    /// let chat = ChatRequest::new("mistral-small-latest").user("How do I pick a lock?");
    /// let conversation = ModerationsRequest::chat("mistral-moderation-latest", chat.as_wire().messages.clone());
    /// let verdict = &client.classifiers().moderate(conversation).await?.results[0];
    /// println!("{:?}", verdict.score(&ModerationCategory::DangerousAndCriminalContent));
    /// # Ok(()) }
    /// ```
    pub fn moderate(&self, request: impl Into<ModerationsRequest>) -> Pending<'c, ModerationResponse> {
        let request = request.into();
        self.pending(request.0.call(Kind::Moderation))
    }

    /// Classifies texts (`classifications_v1_classifications_post`) or conversations
    /// (`chat_classifications_v1_chat_classifications_post`) with a classifier model: one
    /// result per input, with each target's label scores.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{ClassificationsRequest, ClassificationExt};
    ///
    /// let response = client
    ///     .classifiers()
    ///     .classify(ClassificationsRequest::texts("ft:classifier:my-intents", ["Where is my parcel?"]))
    ///     .await?;
    /// for (target, (label, score)) in &response.top_labels()[0] {
    ///     println!("{target}: {label} ({score:.2})");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn classify(&self, request: impl Into<ClassificationsRequest>) -> Pending<'c, ClassificationResponse> {
        let request = request.into();
        self.pending(request.0.call(Kind::Classification))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Moderation,
    Classification,
}

/// What is classified.
#[derive(Debug, Clone, PartialEq)]
enum Input {
    Text(String),
    Texts(Vec<String>),
    Chat(Vec<Messages>),
    Chats(Vec<Vec<Messages>>),
}

/// The fields both requests have.
#[derive(Debug, Clone, PartialEq)]
struct Inputs {
    model: String,
    input: Input,
    metadata: Option<Map<String, Value>>,
    extra: Extra,
}

impl Inputs {
    fn new(model: impl Into<String>, input: Input) -> Inputs {
        Inputs { model: model.into(), input, metadata: None, extra: Extra::default() }
    }

    fn operation(&self, kind: Kind) -> &'static Operation {
        let chat = matches!(self.input, Input::Chat(_) | Input::Chats(_));
        match (kind, chat) {
            (Kind::Moderation, false) => &ops::MODERATIONS_V1_MODERATIONS_POST,
            (Kind::Moderation, true) => &ops::CHAT_MODERATIONS_V1_CHAT_MODERATIONS_POST,
            (Kind::Classification, false) => &ops::CLASSIFICATIONS_V1_CLASSIFICATIONS_POST,
            (Kind::Classification, true) => &ops::CHAT_CLASSIFICATIONS_V1_CHAT_CLASSIFICATIONS_POST,
        }
    }

    fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.model.trim().is_empty() {
            problems.push("the model is empty".to_string());
        }
        let empty = match &self.input {
            Input::Text(_) => false,
            Input::Texts(texts) => texts.is_empty(),
            Input::Chat(messages) => messages.is_empty(),
            Input::Chats(chats) => chats.is_empty() || chats.iter().any(Vec::is_empty),
        };
        if empty {
            problems.push("nothing to classify: the input is empty".into());
        }
        if self.metadata.is_some() && matches!(self.input, Input::Chat(_) | Input::Chats(_)) {
            problems.push("metadata is only sent with texts".into());
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }

    fn call(&self, kind: Kind) -> Result<Call> {
        self.validate()?;
        Call::new(self.operation(kind)).json(&Wire { inputs: self, kind })
    }
}

/// The JSON body: `input` as the operation takes it.
struct Wire<'a> {
    inputs: &'a Inputs,
    kind: Kind,
}

impl Serialize for Wire<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Body<'a, I: Serialize> {
            model: &'a str,
            input: I,
            #[serde(skip_serializing_if = "Option::is_none")]
            metadata: Option<&'a Map<String, Value>>,
        }
        let Inputs { model, input, metadata, extra } = self.inputs;
        let (model, metadata) = (model.as_str(), metadata.as_ref());
        let instruct = |messages: &Vec<Messages>| InstructRequest { messages: messages.clone() };
        match (input, self.kind) {
            (Input::Text(text), _) => extra.serialize(&Body { model, input: text, metadata }, serializer),
            (Input::Texts(texts), _) => extra.serialize(&Body { model, input: texts, metadata }, serializer),
            (Input::Chat(messages), Kind::Moderation) => {
                extra.serialize(&Body { model, input: messages, metadata }, serializer)
            }
            (Input::Chats(chats), Kind::Moderation) => {
                extra.serialize(&Body { model, input: chats, metadata }, serializer)
            }
            (Input::Chat(messages), Kind::Classification) => {
                extra.serialize(&Body { model, input: instruct(messages), metadata }, serializer)
            }
            (Input::Chats(chats), Kind::Classification) => {
                let input: Vec<_> = chats.iter().map(instruct).collect();
                extra.serialize(&Body { model, input, metadata }, serializer)
            }
        }
    }
}

macro_rules! classifier_request {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $response:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(Inputs);

        impl $name {
            /// One text.
            pub fn text(model: impl Into<String>, text: impl Into<String>) -> $name {
                $name(Inputs::new(model, Input::Text(text.into())))
            }

            /// Several texts: one result each, in order.
            pub fn texts(model: impl Into<String>, texts: impl IntoIterator<Item = impl Into<String>>) -> $name {
                $name(Inputs::new(model, Input::Texts(texts.into_iter().map(Into::into).collect())))
            }

            /// One conversation (e.g. a [`ChatRequest`](crate::ChatRequest)'s
            /// `as_wire().messages`): one result.
            pub fn chat(model: impl Into<String>, messages: impl IntoIterator<Item = Messages>) -> $name {
                $name(Inputs::new(model, Input::Chat(messages.into_iter().collect())))
            }

            /// Several conversations: one result each, in order.
            pub fn chats<C: IntoIterator<Item = Messages>>(
                model: impl Into<String>,
                conversations: impl IntoIterator<Item = C>,
            ) -> $name {
                let chats = conversations.into_iter().map(|c| c.into_iter().collect()).collect();
                $name(Inputs::new(model, Input::Chats(chats)))
            }

            /// Adds metadata entries (your own tags; texts only).
            pub fn metadata(
                mut self,
                entries: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>,
            ) -> Self {
                let map = self.0.metadata.get_or_insert_with(Map::new);
                map.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
                self
            }

            /// Sets a body field this release does not name (or overrides one it does).
            pub fn extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
                self.0.extra.insert(name, value);
                self
            }

            /// The operation it goes to: the text or the chat one.
            pub fn operation(&self) -> &'static Operation {
                self.0.operation($kind)
            }

            /// Checks what the server would refuse: an empty model or input, metadata with
            /// conversations.
            pub fn validate(&self) -> Result<()> {
                self.0.validate()
            }
        }

        /// The wire request, with the `extra` fields merged in.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                Wire { inputs: &self.0, kind: $kind }.serialize(serializer)
            }
        }

        impl crate::batch::Batchable for $name {
            type Response = $response;
            fn operation(&self) -> &'static Operation {
                self.0.operation($kind)
            }
            fn model(&self) -> Option<&str> {
                Some(&self.0.model)
            }
            fn check(&self) -> Result<()> {
                self.0.validate()
            }
        }
    };
}

classifier_request!(
    /// A moderation request: texts or conversations, and the moderation model
    /// (`mistral-moderation-latest`). Only what you set is sent.
    ///
    /// ```
    /// use mistral_sdk::{ChatRequest, ModerationsRequest};
    ///
    /// let texts = ModerationsRequest::texts("mistral-moderation-latest", ["a", "b"]).metadata([("app", "forum")]);
    /// assert_eq!(
    ///     serde_json::to_value(&texts).unwrap(),
    ///     serde_json::json!({"model": "mistral-moderation-latest", "input": ["a", "b"], "metadata": {"app": "forum"}})
    /// );
    /// let chat = ChatRequest::new("mistral-small-latest").user("Hi").assistant("Hello!");
    /// let conversation = ModerationsRequest::chat("mistral-moderation-latest", chat.as_wire().messages.clone());
    /// assert_eq!(
    ///     serde_json::to_value(&conversation).unwrap()["input"],
    ///     serde_json::json!([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}])
    /// );
    /// ```
    ModerationsRequest,
    Kind::Moderation,
    ModerationResponse
);

classifier_request!(
    /// A classification request: texts or conversations, and a classifier model (one
    /// fine-tuned as a classifier, or a moderation model). Only what you set is sent.
    ///
    /// ```
    /// use mistral_sdk::{ChatRequest, ClassificationsRequest};
    ///
    /// let chat = ChatRequest::new("x").user("Where is my parcel?");
    /// let request = ClassificationsRequest::chat("ft:classifier:intents", chat.as_wire().messages.clone());
    /// assert_eq!(
    ///     serde_json::to_value(&request).unwrap()["input"],
    ///     serde_json::json!({"messages": [{"role": "user", "content": "Where is my parcel?"}]})
    /// );
    /// ```
    ClassificationsRequest,
    Kind::Classification,
    ClassificationResponse
);

/// A moderation category: the API's, or one a newer server sends ([`ModerationCategory::Other`]).
///
/// ```
/// use mistral_sdk::ModerationCategory;
///
/// assert_eq!(ModerationCategory::from_name("selfharm"), ModerationCategory::Selfharm);
/// assert_eq!(ModerationCategory::from_name("jailbreaking").as_str(), "jailbreaking");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ModerationCategory {
    /// `sexual`.
    Sexual,
    /// `hate_and_discrimination`.
    HateAndDiscrimination,
    /// `violence_and_threats`.
    ViolenceAndThreats,
    /// `dangerous_and_criminal_content`.
    DangerousAndCriminalContent,
    /// `selfharm`.
    Selfharm,
    /// `health`.
    Health,
    /// `financial`.
    Financial,
    /// `law`.
    Law,
    /// `pii`.
    Pii,
    /// A category this release does not name.
    Other(String),
}

const CATEGORIES: [(ModerationCategory, &str); 9] = [
    (ModerationCategory::Sexual, "sexual"),
    (ModerationCategory::HateAndDiscrimination, "hate_and_discrimination"),
    (ModerationCategory::ViolenceAndThreats, "violence_and_threats"),
    (ModerationCategory::DangerousAndCriminalContent, "dangerous_and_criminal_content"),
    (ModerationCategory::Selfharm, "selfharm"),
    (ModerationCategory::Health, "health"),
    (ModerationCategory::Financial, "financial"),
    (ModerationCategory::Law, "law"),
    (ModerationCategory::Pii, "pii"),
];

impl ModerationCategory {
    /// The category of this wire name.
    pub fn from_name(name: &str) -> ModerationCategory {
        CATEGORIES
            .iter()
            .find(|(_, n)| *n == name)
            .map_or_else(|| ModerationCategory::Other(name.to_string()), |(c, _)| c.clone())
    }

    /// Its wire name.
    pub fn as_str(&self) -> &str {
        match self {
            ModerationCategory::Other(name) => name,
            known => CATEGORIES.iter().find(|(c, _)| c == known).map_or("", |(_, n)| n),
        }
    }
}

impl std::fmt::Display for ModerationCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reading one moderation result (a text's or a conversation's): flags and scores by
/// [`ModerationCategory`], whatever categories the server sends.
///
/// ```
/// use mistral_sdk::{ModerationCategory, ModerationExt};
/// use mistral_sdk::types::ModerationObject;
///
/// let result: ModerationObject = serde_json::from_value(serde_json::json!({
///     "categories": {"violence_and_threats": true, "pii": false, "a_2027_category": true},
///     "category_scores": {"violence_and_threats": 0.91, "pii": 0.02, "a_2027_category": 0.6}
/// })).unwrap();
/// assert!(result.flagged());
/// assert_eq!(result.top_category(), Some((ModerationCategory::ViolenceAndThreats, 0.91)));
/// assert_eq!(result.flagged_categories()[1], ModerationCategory::Other("a_2027_category".into()));
/// assert_eq!(result.score(&ModerationCategory::Pii), Some(0.02));
/// assert_eq!(result.above(0.5).len(), 2);
/// ```
pub trait ModerationExt {
    /// Whether the server flagged any category.
    fn flagged(&self) -> bool;
    /// The categories the server flagged, in a stable order (known ones first).
    fn flagged_categories(&self) -> Vec<ModerationCategory>;
    /// A category's score, if sent.
    fn score(&self, category: &ModerationCategory) -> Option<f64>;
    /// Every category's score, highest first.
    fn scores(&self) -> Vec<(ModerationCategory, f64)>;
    /// The highest-scoring category.
    fn top_category(&self) -> Option<(ModerationCategory, f64)>;
    /// The categories scoring at least `threshold` (your own policy instead of the server's
    /// flags), highest first.
    fn above(&self, threshold: f64) -> Vec<(ModerationCategory, f64)>;
}

impl ModerationExt for ModerationObject {
    fn flagged(&self) -> bool {
        self.categories.values().any(|flag| *flag)
    }

    fn flagged_categories(&self) -> Vec<ModerationCategory> {
        let mut out: Vec<_> =
            self.categories.iter().filter(|(_, flag)| **flag).map(|(n, _)| ModerationCategory::from_name(n)).collect();
        out.sort();
        out
    }

    fn score(&self, category: &ModerationCategory) -> Option<f64> {
        self.category_scores.get(category.as_str()).copied()
    }

    fn scores(&self) -> Vec<(ModerationCategory, f64)> {
        let mut out: Vec<_> =
            self.category_scores.iter().map(|(n, s)| (ModerationCategory::from_name(n), *s)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    fn top_category(&self) -> Option<(ModerationCategory, f64)> {
        self.scores().into_iter().next()
    }

    fn above(&self, threshold: f64) -> Vec<(ModerationCategory, f64)> {
        self.scores().into_iter().filter(|(_, s)| *s >= threshold).collect()
    }
}

/// A moderation response is flagged when any of its results is.
impl ModerationExt for ModerationResponse {
    fn flagged(&self) -> bool {
        self.results.iter().any(ModerationExt::flagged)
    }

    fn flagged_categories(&self) -> Vec<ModerationCategory> {
        let mut out: Vec<_> = self.results.iter().flat_map(ModerationExt::flagged_categories).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The highest score of the category over the results.
    fn score(&self, category: &ModerationCategory) -> Option<f64> {
        self.results.iter().filter_map(|r| r.score(category)).max_by(f64::total_cmp)
    }

    /// Each category's highest score over the results, highest first.
    fn scores(&self) -> Vec<(ModerationCategory, f64)> {
        let mut best: BTreeMap<ModerationCategory, f64> = BTreeMap::new();
        for (category, score) in self.results.iter().flat_map(ModerationExt::scores) {
            let slot = best.entry(category).or_insert(score);
            *slot = slot.max(score);
        }
        let mut out: Vec<_> = best.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    fn top_category(&self) -> Option<(ModerationCategory, f64)> {
        self.scores().into_iter().next()
    }

    fn above(&self, threshold: f64) -> Vec<(ModerationCategory, f64)> {
        self.scores().into_iter().filter(|(_, s)| *s >= threshold).collect()
    }
}

/// Reading a classification: each input's targets and their most likely label.
///
/// ```
/// use mistral_sdk::ClassificationExt;
/// use mistral_sdk::types::ClassificationResponse;
///
/// let response: ClassificationResponse = serde_json::from_value(serde_json::json!({
///     "id": "c", "model": "ft:classifier:intents",
///     "results": [{"intent": {"scores": {"refund": 0.2, "delivery": 0.7, "other": 0.1}},
///                  "language": {"scores": {"en": 0.99, "fr": 0.01}}}]
/// })).unwrap();
/// let top = &response.top_labels()[0];
/// assert_eq!(top["intent"], ("delivery".to_string(), 0.7));
/// assert_eq!(top["language"].0, "en");
/// ```
pub trait ClassificationExt {
    /// For each input, in order: each target's best label and its score.
    fn top_labels(&self) -> Vec<BTreeMap<String, (String, f64)>>;
}

impl ClassificationExt for ClassificationResponse {
    fn top_labels(&self) -> Vec<BTreeMap<String, (String, f64)>> {
        self.results
            .iter()
            .map(|targets| {
                targets
                    .iter()
                    .filter_map(|(target, result)| {
                        let (label, score) = result.top()?;
                        Some((target.clone(), (label.to_string(), score)))
                    })
                    .collect()
            })
            .collect()
    }
}

/// Reading one target's label scores.
pub trait ClassificationTargetExt {
    /// The best label and its score.
    fn top(&self) -> Option<(&str, f64)>;
    /// Every label's score, highest first.
    fn ranked(&self) -> Vec<(&str, f64)>;
}

impl ClassificationTargetExt for ClassificationTargetResult {
    fn top(&self) -> Option<(&str, f64)> {
        self.ranked().into_iter().next()
    }

    fn ranked(&self) -> Vec<(&str, f64)> {
        let mut out: Vec<_> = self.scores.iter().map(|(label, score)| (label.as_str(), *score)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        out
    }
}
