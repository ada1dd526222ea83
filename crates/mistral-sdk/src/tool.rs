//! Tools: functions with parameters derived from Rust types, and the API's built-in tools.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::types::{
    self, CodeInterpreterTool, CodeInterpreterToolType, CustomConnector, CustomConnectorAuthorization,
    CustomConnectorType, DocumentLibraryTool, DocumentLibraryToolType, ImageGenerationTool, ImageGenerationToolType,
    ToolConfiguration, WebSearchPremiumTool, WebSearchPremiumToolType, WebSearchTool, WebSearchToolType,
};

/// A tool the model may use: a function you run ([`Tool::function`]), or one the API runs
/// itself ([`Tool::web_search`], [`Tool::code_interpreter`], [`Tool::image_generation`],
/// [`Tool::document_library`], [`Tool::connector`]...).
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
/// let tool = Tool::function::<WeatherArgs>("get_weather", "Current weather for a city").strict(true);
/// assert_eq!(tool.parameters()["properties"]["city"]["type"], "string");
/// assert_eq!(tool.parameters()["required"][0], "city");
///
/// let tools = [tool, Tool::web_search(), Tool::code_interpreter(), Tool::document_library(["lib-1"])];
/// let wire: Vec<_> = tools.iter().map(|t| serde_json::to_value(t.to_wire().unwrap()).unwrap()).collect();
/// assert_eq!(wire[0]["function"]["strict"], true);
/// assert_eq!(wire[1], serde_json::json!({"type": "web_search"}));
/// assert_eq!(wire[3], serde_json::json!({"type": "document_library", "library_ids": ["lib-1"]}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Function {
        name: String,
        description: Option<String>,
        parameters: Map<String, Value>,
        strict: Option<bool>,
    },
    /// A built-in tool (or any the wire type holds), sent as is.
    Wire(types::Tool),
}

impl From<types::Tool> for Tool {
    fn from(tool: types::Tool) -> Self {
        Tool { kind: Kind::Wire(tool) }
    }
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
        Tool::function_with(name.into(), description.into(), parameters)
    }

    /// A function with hand-written JSON Schema `parameters` (an object schema).
    pub fn with_schema(name: impl Into<String>, description: impl Into<String>, parameters: Value) -> Tool {
        let parameters = match parameters {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Tool::function_with(name.into(), description.into(), parameters)
    }

    fn function_with(name: String, description: String, parameters: Map<String, Value>) -> Tool {
        Tool { kind: Kind::Function { name, description: Some(description), parameters, strict: None } }
    }

    /// Strict mode for a function: the model's arguments always fit its schema. No effect on
    /// built-in tools.
    pub fn strict(mut self, on: bool) -> Tool {
        if let Kind::Function { strict, .. } = &mut self.kind {
            *strict = Some(on);
        }
        self
    }

    /// Web search.
    pub fn web_search() -> Tool {
        types::Tool::WebSearch(WebSearchTool { tool_configuration: None, type_: WebSearchToolType::WebSearch }).into()
    }

    /// Web search with news agencies' sources too.
    pub fn web_search_premium() -> Tool {
        types::Tool::WebSearchPremium(WebSearchPremiumTool {
            tool_configuration: None,
            type_: WebSearchPremiumToolType::WebSearchPremium,
        })
        .into()
    }

    /// Runs code in a sandbox.
    pub fn code_interpreter() -> Tool {
        types::Tool::CodeInterpreter(CodeInterpreterTool {
            tool_configuration: None,
            type_: CodeInterpreterToolType::CodeInterpreter,
        })
        .into()
    }

    /// Generates images.
    pub fn image_generation() -> Tool {
        types::Tool::ImageGeneration(ImageGenerationTool {
            tool_configuration: None,
            type_: ImageGenerationToolType::ImageGeneration,
        })
        .into()
    }

    /// Searches these document libraries (at least one id).
    pub fn document_library(library_ids: impl IntoIterator<Item = impl Into<String>>) -> Tool {
        types::Tool::DocumentLibrary(DocumentLibraryTool {
            library_ids: library_ids.into_iter().map(Into::into).collect(),
            tool_configuration: None,
            type_: DocumentLibraryToolType::DocumentLibrary,
        })
        .into()
    }

    /// A connector (an MCP server or a built-in connector) by id.
    pub fn connector(connector_id: impl Into<String>) -> Tool {
        types::Tool::Connector(CustomConnector {
            authorization: None,
            connector_id: connector_id.into(),
            tool_configuration: None,
            type_: CustomConnectorType::Connector,
        })
        .into()
    }

    /// How a connector authenticates (an OAuth2 token or an API key); no effect on other
    /// tools.
    pub fn authorization(mut self, authorization: CustomConnectorAuthorization) -> Tool {
        if let Kind::Wire(types::Tool::Connector(c)) = &mut self.kind {
            c.authorization = Some(authorization);
        }
        self
    }

    /// Which of a built-in tool's actions to include, exclude, or confirm first; no effect on
    /// functions.
    pub fn configuration(mut self, configuration: ToolConfiguration) -> Tool {
        let slot = match &mut self.kind {
            Kind::Wire(types::Tool::WebSearch(t)) => &mut t.tool_configuration,
            Kind::Wire(types::Tool::WebSearchPremium(t)) => &mut t.tool_configuration,
            Kind::Wire(types::Tool::CodeInterpreter(t)) => &mut t.tool_configuration,
            Kind::Wire(types::Tool::ImageGeneration(t)) => &mut t.tool_configuration,
            Kind::Wire(types::Tool::DocumentLibrary(t)) => &mut t.tool_configuration,
            Kind::Wire(types::Tool::Connector(t)) => &mut t.tool_configuration,
            _ => return self,
        };
        *slot = Some(configuration);
        self
    }

    /// The function's name; for a built-in tool, its type (`web_search`, ...).
    pub fn name(&self) -> &str {
        match &self.kind {
            Kind::Function { name, .. } => name,
            Kind::Wire(types::Tool::Function(f)) => &f.function.name,
            Kind::Wire(types::Tool::WebSearch(_)) => "web_search",
            Kind::Wire(types::Tool::WebSearchPremium(_)) => "web_search_premium",
            Kind::Wire(types::Tool::CodeInterpreter(_)) => "code_interpreter",
            Kind::Wire(types::Tool::ImageGeneration(_)) => "image_generation",
            Kind::Wire(types::Tool::DocumentLibrary(_)) => "document_library",
            Kind::Wire(types::Tool::Connector(_)) => "connector",
            Kind::Wire(types::Tool::Other(raw)) => raw.get("type").and_then(Value::as_str).unwrap_or_default(),
        }
    }

    /// A function's parameters' JSON Schema (empty for a built-in tool).
    pub fn parameters(&self) -> &Map<String, Value> {
        static NONE: OnceLock<Map<String, Value>> = OnceLock::new();
        match &self.kind {
            Kind::Function { parameters, .. } => parameters,
            Kind::Wire(types::Tool::Function(f)) => &f.function.parameters,
            Kind::Wire(_) => NONE.get_or_init(Map::new),
        }
    }

    /// The wire form; fails when a function's name is not 1 to 64 of `[a-zA-Z0-9_-]`, or a
    /// document library tool has no library.
    pub fn to_wire(&self) -> Result<types::Tool, String> {
        match &self.kind {
            Kind::Function { name, description, parameters, strict } => {
                check_name(name)?;
                Ok(types::Tool::Function(types::FunctionTool {
                    type_: types::ToolTypes::Function,
                    function: types::Function {
                        name: name.clone(),
                        description: description.clone(),
                        parameters: parameters.clone(),
                        strict: *strict,
                    },
                }))
            }
            Kind::Wire(types::Tool::DocumentLibrary(t)) if t.library_ids.is_empty() => {
                Err("a document_library tool needs at least one library id".into())
            }
            Kind::Wire(tool) => Ok(tool.clone()),
        }
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let ok =
        (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err(format!("tool name {name:?} must be 1 to 64 of a-z, A-Z, 0-9, _ and -")) }
}
