//! Tools for function calling, with parameters derived from Rust types.

use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::types;

/// A function the model may call.
///
/// ```
/// use mistral_sdk::Tool;
///
/// #[derive(schemars::JsonSchema, serde::Deserialize)]
/// struct WeatherArgs {
///     /// The city, e.g. "Paris".
///     city: String,
/// }
///
/// let tool = Tool::function::<WeatherArgs>("get_weather", "Current weather for a city");
/// assert_eq!(tool.parameters()["properties"]["city"]["type"], "string");
/// assert_eq!(tool.parameters()["required"][0], "city");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    name: String,
    description: Option<String>,
    parameters: Map<String, Value>,
}

impl Tool {
    /// A function whose `parameters` are `T`'s JSON Schema (derive `schemars::JsonSchema`;
    /// this crate re-exports [`schemars`](crate::schemars)). Doc comments become descriptions.
    pub fn function<T: JsonSchema>(name: impl Into<String>, description: impl Into<String>) -> Tool {
        let schema = schemars::generate::SchemaSettings::draft07()
            .with(|s| s.inline_subschemas = true)
            .into_generator()
            .into_root_schema_for::<T>();
        let mut parameters = match schema.to_value() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        parameters.remove("$schema");
        parameters.remove("title");
        Tool { name: name.into(), description: Some(description.into()), parameters }
    }

    /// A function with hand-written JSON Schema `parameters` (an object schema).
    pub fn with_schema(name: impl Into<String>, description: impl Into<String>, parameters: Value) -> Tool {
        Tool {
            name: name.into(),
            description: Some(description.into()),
            parameters: match parameters {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        }
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parameters' JSON Schema.
    pub fn parameters(&self) -> &Map<String, Value> {
        &self.parameters
    }

    /// The wire form; fails when the name is not 1 to 64 of `[a-zA-Z0-9_-]`.
    pub fn to_wire(&self) -> Result<types::Tool, String> {
        let ok = (1..=64).contains(&self.name.len())
            && self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(format!("tool name {:?} must be 1 to 64 of a-z, A-Z, 0-9, _ and -", self.name));
        }
        Ok(types::Tool::Function(types::FunctionTool {
            type_: types::ToolTypes::Function,
            function: types::Function {
                name: self.name.clone(),
                description: self.description.clone(),
                parameters: self.parameters.clone(),
                strict: None,
            },
        }))
    }
}
