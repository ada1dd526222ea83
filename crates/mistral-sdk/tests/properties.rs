//! Property tests: builders only produce requests the spec accepts (or InvalidRequest), and
//! error bodies of any bytes parse without panicking.

use mistral_sdk::types::KnownToolChoiceEnum;
use mistral_sdk::{ApiError, ChatRequest, Error, FimRequest, JobRequest, Tool};
use proptest::prelude::*;

fn validator(operation: &'static str) -> &'static mistral_spec::Validator {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static CACHE: LazyLock<Mutex<HashMap<&'static str, &'static mistral_spec::Validator>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap();
    cache.entry(operation).or_insert_with(|| {
        let spec = mistral_spec::Spec::embedded().unwrap();
        Box::leak(Box::new(spec.request_validator(operation, "application/json").unwrap()))
    })
}

#[derive(Debug, Clone)]
enum Msg {
    System(String),
    User(String),
    Assistant(String),
    Prefix(String),
    ToolResult(String, String, String),
}

fn msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        ".{0,12}".prop_map(Msg::System),
        ".{0,12}".prop_map(Msg::User),
        ".{0,12}".prop_map(Msg::Assistant),
        ".{0,12}".prop_map(Msg::Prefix),
        (".{0,6}", "[a-z_]{0,6}", ".{0,12}").prop_map(|(a, b, c)| Msg::ToolResult(a, b, c)),
    ]
}

fn number() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of(prop_oneof![0.0..=1.5f64, Just(0.0), -2.0..3.0f64])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn chat_builder_output_fits_the_spec_or_is_refused(
        model in "[a-z-]{0,12}",
        messages in proptest::collection::vec(msg(), 0..5),
        temperature in number(),
        top_p in number(),
        max_tokens in proptest::option::of(0u64..5000),
        seed in proptest::option::of(any::<u64>()),
        json_mode in any::<bool>(),
        tool_names in proptest::collection::vec("[a-zA-Z0-9_ !-]{0,70}", 0..3),
        choice in proptest::option::of(prop_oneof![Just(KnownToolChoiceEnum::Auto), Just(KnownToolChoiceEnum::Any), Just(KnownToolChoiceEnum::None), Just(KnownToolChoiceEnum::Required)]),
    ) {
        let mut r = ChatRequest::new(model);
        for m in messages {
            r = match m {
                Msg::System(t) => r.system(t),
                Msg::User(t) => r.user(t),
                Msg::Assistant(t) => r.assistant(t),
                Msg::Prefix(t) => r.assistant_prefix(t),
                Msg::ToolResult(id, name, t) => r.tool_result(id, name, t),
            };
        }
        if let Some(t) = temperature { r = r.temperature(t); }
        if let Some(p) = top_p { r = r.top_p(p); }
        if let Some(n) = max_tokens { r = r.max_tokens(n); }
        if let Some(s) = seed { r = r.random_seed(s); }
        if json_mode { r = r.json_mode(); }
        r = r.tools(tool_names.iter().map(|n| Tool::with_schema(n.clone(), "t", serde_json::json!({"type": "object"}))));
        if let Some(c) = choice { r = r.tool_choice(c); }

        let validator = validator("createChatCompletion");
        match r.validate() {
            Ok(()) => {
                let wire = serde_json::to_value(&r).unwrap();
                prop_assert!(validator.validate(&wire).is_ok(), "{wire} {:?}", validator.validate(&wire));
            }
            Err(Error::InvalidRequest(_)) => {}
            Err(e) => prop_assert!(false, "unexpected {e:?}"),
        }
    }

    #[test]
    fn fim_builder_output_fits_the_spec_or_is_refused(
        model in "[a-z-]{0,12}", prompt in ".{0,20}", suffix in proptest::option::of(".{0,20}"),
        temperature in number(), max in proptest::option::of(0u64..100), min in proptest::option::of(0u64..100),
        stop in proptest::collection::vec(".{0,4}", 0..3),
    ) {
        let mut r = FimRequest::new(model, prompt);
        if let Some(s) = suffix { r = r.suffix(s); }
        if let Some(t) = temperature { r = r.temperature(t); }
        if let Some(n) = max { r = r.max_tokens(n); }
        if let Some(n) = min { r = r.min_tokens(n); }
        if !stop.is_empty() { r = r.stop(stop); }
        let validator = validator("createFIMCompletion");
        if r.validate().is_ok() {
            let wire = serde_json::to_value(&r).unwrap();
            prop_assert!(validator.validate(&wire).is_ok(), "{wire}");
        }
    }

    #[test]
    fn job_builder_output_fits_the_spec_or_is_refused(
        model in "[a-z0-9-]{1,20}", files in 0usize..3, steps in proptest::option::of(0u64..100),
        rate in proptest::option::of(prop_oneof![1e-8..=1.0f64, -1.0..2.0f64]), suffix in proptest::option::of(".{0,24}"),
    ) {
        let mut r = JobRequest::new(model, (0..files).map(|i| uuid::Uuid::from_u128(i as u128 + 1)));
        if let Some(s) = steps { r = r.training_steps(s); }
        if let Some(l) = rate { r = r.learning_rate(l); }
        if let Some(s) = suffix { r = r.suffix(s); }
        let validator = validator("jobs_api_routes_fine_tuning_create_fine_tuning_job");
        match r.build() {
            Ok(job) => {
                let wire = serde_json::to_value(&job).unwrap();
                prop_assert!(validator.validate(&wire).is_ok(), "{wire}");
            }
            Err(e) => prop_assert!(matches!(e, Error::InvalidRequest(_))),
        }
    }

    #[test]
    fn error_bodies_of_any_bytes_parse(status in 400u16..600, body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let e = ApiError::from_parts(status, &Default::default(), &body);
        prop_assert_eq!(e.status, status);
        prop_assert!(!e.message.is_empty());
    }

    #[test]
    fn error_bodies_of_any_json_parse(status in 400u16..600, body in any_json()) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let e = ApiError::from_parts(status, &Default::default(), &bytes);
        prop_assert!(!e.message.is_empty());
    }
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        ".{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("message".to_string()),
                    Just("detail".to_string()),
                    Just("error".to_string()),
                    Just("loc".to_string()),
                    "[a-z]{1,4}".prop_map(|s| s)
                ],
                inner,
                0..4
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
