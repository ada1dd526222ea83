//! Fixes applied to progenitor's output, as syntax-tree rewrites (never by hand).

use quote::ToTokens;
use syn::visit_mut::VisitMut;

use crate::{Error, Result};

/// Rewrites the generated client:
/// - drops the `api-version` header progenitor adds to every request (the Mistral API
///   does not know it, and it leaks the spec's version on the wire);
/// - makes `Client::new` build a plain `reqwest::Client`: progenitor's default sets a
///   15 s total timeout, which would cut every long completion and stream;
/// - lets a required-but-nullable field be absent (it reads as `None`): typify rejects the
///   absence (`deserialize_with = Option::deserialize`), and a server that leaves out
///   `"finish_reason": null` should not break a stream. Serializing still writes the `null`;
/// - marks the value enums `#[non_exhaustive]` (new statuses, roles and kinds are not breaking);
/// - puts everything but the wire types behind the `client` feature: the HTTP client and its
///   request builders, and the types' builders. `mistral-sdk` has its own transport and
///   needs the types only; without the rest a user's build compiles a quarter of the code.
///
/// Fails if a rewrite finds nothing to change, so a progenitor upgrade that moves the
/// code is noticed instead of silently shipping the old behaviour.
pub fn postprocess(mut file: syn::File) -> Result<syn::File> {
    let mut pass = Pass::default();
    pass.visit_file_mut(&mut file);
    if pass.headers_removed == 0 {
        return Err(Error::Spec("no api-version header found to remove".into()));
    }
    if pass.strict_options_relaxed == 0 {
        return Err(Error::Spec("no required nullable field found to relax".into()));
    }
    if !pass.new_replaced {
        return Err(Error::Spec("Client::new not found".into()));
    }
    if mark_enums_non_exhaustive(&mut file) == 0 {
        return Err(Error::Spec("no enum found in mod types".into()));
    }
    if gate_client(&mut file) == 0 {
        return Err(Error::Spec("no client item found to put behind the client feature".into()));
    }
    Ok(file)
}

/// Adds `#[non_exhaustive]` to the value enums of `mod types` (every variant a unit: statuses,
/// roles, `Known*` sets): the API grows new values, and a match on them must say what it does
/// with one this release does not know. Unions of shapes (a string or chunks) and the open
/// unions (with an `Other` variant, which already take any value) stay exhaustive. Gives how
/// many it marked.
fn mark_enums_non_exhaustive(file: &mut syn::File) -> usize {
    let mut marked = 0;
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else { continue };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut module.content else { continue };
        for inner in items {
            if let syn::Item::Enum(e) = inner
                && e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
            {
                e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
                marked += 1;
            }
        }
    }
    marked
}

/// Adds `#[cfg(feature = "client")]` to every top-level item but `mod types`, and inside it to
/// the types' builders (`mod builder` and every item naming it). Gives how many items it gated.
fn gate_client(file: &mut syn::File) -> usize {
    let gate: syn::Attribute = syn::parse_quote!(#[cfg(feature = "client")]);
    let mut gated = 0;
    for item in &mut file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                let Some((_, items)) = &mut module.content else { continue };
                for inner in items {
                    let names_builder = match &*inner {
                        syn::Item::Mod(m) => m.ident == "builder",
                        other => other.to_token_stream().to_string().contains("builder ::"),
                    };
                    if names_builder {
                        push_attr(inner, gate.clone());
                        gated += 1;
                    }
                }
            }
            other => {
                push_attr(other, gate.clone());
                gated += 1;
            }
        }
    }
    gated
}

fn push_attr(item: &mut syn::Item, attr: syn::Attribute) {
    match item {
        syn::Item::Const(i) => i.attrs.push(attr),
        syn::Item::Enum(i) => i.attrs.push(attr),
        syn::Item::Fn(i) => i.attrs.push(attr),
        syn::Item::Impl(i) => i.attrs.push(attr),
        syn::Item::Mod(i) => i.attrs.push(attr),
        syn::Item::Static(i) => i.attrs.push(attr),
        syn::Item::Struct(i) => i.attrs.push(attr),
        syn::Item::Trait(i) => i.attrs.push(attr),
        syn::Item::Type(i) => i.attrs.push(attr),
        syn::Item::Use(i) => i.attrs.push(attr),
        syn::Item::Macro(i) => i.attrs.push(attr),
        _ => {}
    }
}

#[derive(Default)]
struct Pass {
    headers_removed: usize,
    new_replaced: bool,
    strict_options_relaxed: usize,
}

const STRICT_OPTION: &str = "deserialize_with = \"::std::option::Option::deserialize\"";

/// The `serde` attribute without its strict-`Option` part (`None` when nothing else is left).
fn relax(attr: &syn::Attribute) -> Option<Option<syn::Attribute>> {
    if !attr.path().is_ident("serde") || !attr.to_token_stream().to_string().contains(STRICT_OPTION) {
        return None;
    }
    let metas =
        attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated).ok()?;
    let kept: Vec<&syn::Meta> = metas.iter().filter(|m| m.to_token_stream().to_string() != STRICT_OPTION).collect();
    Some((!kept.is_empty()).then(|| syn::parse_quote!(#[serde(#(#kept),*)])))
}

impl VisitMut for Pass {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        let mut attrs = Vec::with_capacity(field.attrs.len());
        for attr in field.attrs.drain(..) {
            match relax(&attr) {
                None => attrs.push(attr),
                Some(rest) => {
                    self.strict_options_relaxed += 1;
                    attrs.extend(rest);
                }
            }
        }
        field.attrs = attrs;
        syn::visit_mut::visit_field_mut(self, field);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !stmt.to_token_stream().to_string().contains("\"api-version\""));
        self.headers_removed += before - block.stmts.len();
        syn::visit_mut::visit_block_mut(self, block);
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let is_client = item.trait_.is_none() && item.self_ty.to_token_stream().to_string() == "Client";
        if is_client {
            for impl_item in &mut item.items {
                if let syn::ImplItem::Fn(f) = impl_item
                    && f.sig.ident == "new"
                {
                    f.block = syn::parse_quote!({ Self::new_with_client(baseurl, reqwest::Client::new()) });
                    f.attrs.push(syn::parse_quote!(
                        #[doc = "\n\nNo timeout is set: long completions and streams run as long as the server sends. Use [`Client::new_with_client`] to choose timeouts."]
                    ));
                    self.new_replaced = true;
                }
            }
        }
        syn::visit_mut::visit_item_impl_mut(self, item);
    }
}
