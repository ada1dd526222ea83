//! Error responses, in the shapes the real API sends them.
//!
//! These bodies are built with `json!` rather than the generated `types::Error` because the
//! real API writes `"param": null` and `"code": null` explicitly, which the generated type
//! (rightly, for a client) skips. Every body here validates against the spec's `ApiError`.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer: a status, a JSON body and extra headers.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

/// One problem in a 422, pydantic style.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detail {
    /// `missing`, `extra_forbidden`, `int_type`...
    pub(crate) kind: String,
    /// Where: `["body", "messages", 0, "content"]`.
    pub(crate) loc: Vec<Value>,
    /// Human-readable.
    pub(crate) msg: String,
    /// The offending value, when there is one.
    pub(crate) input: Option<Value>,
}

impl Detail {
    /// A detail at `loc` (whose first item is `body`, `query` or `path`).
    pub(crate) fn new(kind: &str, loc: Vec<Value>, msg: impl Into<String>) -> Detail {
        Detail { kind: kind.into(), loc, msg: msg.into(), input: None }
    }

    /// The same, with the offending value.
    pub(crate) fn with_input(mut self, input: Value) -> Detail {
        self.input = Some(input);
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({"type": self.kind, "loc": self.loc, "msg": self.msg});
        if let (Some(input), Some(map)) = (&self.input, v.as_object_mut()) {
            map.insert("input".into(), input.clone());
        }
        v
    }
}

/// `["body", a, b...]` from string/int items.
pub(crate) fn loc(root: &str, rest: &[Value]) -> Vec<Value> {
    let mut out = vec![Value::from(root)];
    out.extend(rest.iter().cloned());
    out
}

impl ApiError {
    /// A plain error object: `{"object":"error","message":..,"type":..,"param":null,"code":..}`,
    /// with `raw_status_code` on a 400 as the live server sends it.
    pub(crate) fn object(status: StatusCode, message: impl Into<String>, kind: &str, code: Option<&str>) -> ApiError {
        let mut body = json!({
            "object": "error",
            "message": message.into(),
            "type": kind,
            "param": null,
            "code": code,
        });
        if status == StatusCode::BAD_REQUEST {
            body["raw_status_code"] = json!(400);
        }
        ApiError { status, body, headers: Vec::new() }
    }

    /// 401 for a key the server does not know, as the live server answers it.
    pub(crate) fn invalid_key() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            body: json!({"detail": "Invalid API Key"}),
            headers: vec![(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
        }
    }

    /// 422 with the real API's wrapped validation body.
    pub(crate) fn validation(details: Vec<Detail>) -> ApiError {
        let detail: Vec<Value> = details.iter().map(Detail::to_json).collect();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "object": "error",
                "message": {"detail": detail},
                "type": "invalid_request_error",
                "param": null,
                "code": null,
            }),
            headers: Vec::new(),
        }
    }

    /// 422 with a single detail.
    pub(crate) fn invalid(detail: Detail) -> ApiError {
        ApiError::validation(vec![detail])
    }

    /// 422 for a body that cannot be read as the operation's (`value_error` at `body`).
    pub(crate) fn body_value(message: impl Into<String>) -> ApiError {
        ApiError::invalid(Detail::new("value_error", loc("body", &[]), message))
    }

    /// What a broken multipart form gets: 413 past `limit` bytes, a 422 with the parser's
    /// reason otherwise.
    pub(crate) fn multipart(e: &axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::body_value(format!("There was an error parsing the body: {}", e.body_text()))
        }
    }

    /// 401 without a key, as the gateway sends it.
    pub(crate) fn unauthorized() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            body: json!({"message": "Unauthorized", "request_id": request_id()}),
            headers: vec![(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
        }
    }

    /// 404 with the `code: "404"` error object.
    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::object(StatusCode::NOT_FOUND, message, "invalid_request_error", Some("404"))
    }

    /// 400 for a model the server does not have.
    pub(crate) fn invalid_model(model: &str) -> ApiError {
        ApiError::object(StatusCode::BAD_REQUEST, format!("Invalid model: {model}"), "invalid_model", Some("1500"))
    }

    /// 400 for a request that is well-formed but cannot be served.
    /// 410: a route the API retired (the fine-tuning jobs).
    pub(crate) fn gone() -> ApiError {
        ApiError::object(StatusCode::GONE, "This endpoint has been retired.", "invalid_request_error", Some("410"))
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::object(StatusCode::BAD_REQUEST, message, "invalid_request_error", None)
    }

    /// 500 for a fault of the mock itself.
    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError::object(StatusCode::INTERNAL_SERVER_ERROR, message, "internal_error", Some("500"))
    }

    /// 413 for a body over the limit.
    pub(crate) fn too_large(limit: usize) -> ApiError {
        ApiError::object(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body too large: the limit is {limit} bytes"),
            "invalid_request_error",
            Some("413"),
        )
    }
}

/// A fresh request id (32 hex digits), as the gateway's 401 carries.
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
