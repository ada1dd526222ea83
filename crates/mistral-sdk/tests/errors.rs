//! Every error body shape of shared/api decoded into the right error.

mod support;

use httpmock::Method::GET;
use httpmock::MockServer;
use mistral_sdk::{ApiErrorKind, Error, FieldError};
use support::client;

async fn error_for(status: u16, content_type: &str, body: &str) -> Error {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/models");
            then.status(status).header("content-type", content_type).header("x-request-id", "hdr-id").body(body);
        })
        .await;
    let c = mistral_sdk::Client::builder().api_key("k").base_url(server.base_url()).max_retries(0).build().unwrap();
    c.models().list().await.unwrap_err()
}

#[tokio::test]
async fn shapes() {
    let wrapped_422 = r#"{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","extra"],"msg":"Extra inputs are not permitted"}]},"type":"invalid_request_error","param":null,"code":null}"#;
    let plain_422 = r#"{"detail":[{"type":"missing","loc":["body","model"],"msg":"Field required"}]}"#;
    type Case<'a> = (u16, &'a str, &'a str, ApiErrorKind, &'a str, Option<&'a str>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            422,
            "application/json",
            wrapped_422,
            ApiErrorKind::Validation(vec![FieldError {
                loc: "body.extra".into(),
                msg: "Extra inputs are not permitted".into(),
                kind: "extra_forbidden".into(),
            }]),
            "the request does not fit the schema",
            None,
            Some("hdr-id"),
        ),
        (
            422,
            "application/json",
            plain_422,
            ApiErrorKind::Validation(vec![FieldError {
                loc: "body.model".into(),
                msg: "Field required".into(),
                kind: "missing".into(),
            }]),
            "the request does not fit the schema",
            None,
            Some("hdr-id"),
        ),
        (
            401,
            "application/json",
            r#"{"message":"Unauthorized","request_id":"b0dy-id"}"#,
            ApiErrorKind::Unauthorized,
            "Unauthorized",
            None,
            Some("b0dy-id"),
        ),
        (
            401,
            "application/json",
            r#"{"detail":"Unauthorized"}"#,
            ApiErrorKind::Unauthorized,
            "Unauthorized",
            None,
            Some("hdr-id"),
        ),
        (
            429,
            "application/json",
            r#"{"message":"Requests rate limit exceeded"}"#,
            ApiErrorKind::RateLimited,
            "Requests rate limit exceeded",
            None,
            Some("hdr-id"),
        ),
        (
            429,
            "application/json",
            r#"{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}"#,
            ApiErrorKind::RateLimited,
            "Rate limit exceeded",
            Some("1300"),
            Some("hdr-id"),
        ),
        (
            502,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head></html>",
            ApiErrorKind::Server,
            "Bad Gateway (502 Bad Gateway)",
            None,
            Some("hdr-id"),
        ),
        (500, "text/plain", "", ApiErrorKind::Server, "Internal Server Error (empty body)", None, Some("hdr-id")),
        (
            404,
            "application/json",
            r#"{"object":"error","message":"Not found","type":"invalid_request_error","param":null,"code":"404"}"#,
            ApiErrorKind::NotFound,
            "Not found",
            Some("404"),
            Some("hdr-id"),
        ),
        (413, "text/plain", "Payload Too Large", ApiErrorKind::Other, "Payload Too Large", None, Some("hdr-id")),
    ];
    for (status, ct, body, kind, message, code, request_id) in cases {
        let err = error_for(status, ct, body).await;
        let api = err.api().unwrap_or_else(|| panic!("{status}: {err:?}"));
        assert_eq!(api.status, status);
        assert_eq!(api.kind, kind, "{status} {body}");
        assert_eq!(api.message, message, "{status} {body}");
        assert_eq!(api.code.as_deref(), code, "{status} {body}");
        assert_eq!(api.request_id.as_deref(), request_id, "{status} {body}");
        assert_eq!(api.body, body);
    }
}

#[tokio::test]
async fn undecodable_success_bodies() {
    for body in ["", "{\"object\": \"list\", \"data\": [", "<html>ok</html>", "{\"object\": \"list\", \"data\": 3}"] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/models");
                then.status(200).header("content-type", "application/json").body(body);
            })
            .await;
        let err = client(&server.base_url()).models().list().await.unwrap_err();
        match err {
            Error::Decode { body: snippet, .. } => assert_eq!(snippet, body),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn display_is_one_useful_line() {
    let err = error_for(401, "application/json", r#"{"message":"Unauthorized","request_id":"abc"}"#).await;
    assert_eq!(err.to_string(), "API error 401: Unauthorized (request id abc)");
}
