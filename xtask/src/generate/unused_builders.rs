//! typify's struct builders that nothing uses, dropped from the generated client.
//!
//! For every generated struct, typify writes a builder (`types::builder::Key`, with a setter
//! per field, `Default`, and conversions both ways) and a `Key::builder()` constructor: about
//! half of the client's lines. Nothing reads a response through them. typify has the setting
//! to turn them off, `TypeSpaceSettings::with_struct_builder(false)`, but progenitor 0.15 does
//! not pass it through: `Generator::new` sets it from the interface style
//! (`with_struct_builder(settings.interface == InterfaceStyle::Builder)`), and neither
//! `GenerationSettings` nor `Generator` lets a caller change it afterwards. The positional
//! interface, which would turn it off, has no builders per operation, so no `build_request`
//! and `read_response` to give the SDK (see `halves.rs`).
//!
//! So generation drops them afterwards: a builder is kept only when code outside typify's
//! builder module names it. progenitor's operation builders do for request bodies (they hold
//! `types::builder::CreateKeyRequest` and offer `body_map` on it), so those stay. Dropping is
//! sound: it removes only the builder structs, their own impls and their `builder()`
//! constructors, items no other type's behaviour depends on; a use this step did not see fails
//! the build by name instead of changing what runs.

use super::rewrite::tokens_of;
use crate::error::XtaskError;

/// Drops every builder of `types::builder` that no code outside that module names, with its
/// impls and its `builder()` constructor; returns how many it dropped.
pub fn drop_unused_builders(file: &mut syn::File) -> Result<usize, XtaskError> {
    let outside_types: String = file
        .items
        .iter()
        .filter(|item| !is_module(item, "types"))
        .map(tokens_of)
        .collect::<Vec<_>>()
        .join(" ");
    let Some(types) = module_items(&mut file.items, "types") else {
        return Ok(0);
    };
    let inside_types: String = types
        .iter()
        .filter(|item| !is_module(item, "builder") && constructed_builder(item).is_none())
        .map(tokens_of)
        .collect::<Vec<_>>()
        .join(" ");
    let Some(builders) = module_items(types, "builder") else {
        return Ok(0);
    };
    let unused: Vec<String> = builders
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(builder) => Some(builder.ident.to_string()),
            _ => None,
        })
        .filter(|name| {
            !names(&outside_types, &format!("types :: builder :: {name}"))
                && !names(&inside_types, &format!("builder :: {name}"))
        })
        .collect();
    builders.retain(|item| builder_of(item).is_none_or(|name| !unused.contains(&name)));
    let builders_left = !builders.is_empty();
    types.retain(|item| {
        constructed_builder(item).is_none_or(|name| !unused.contains(&name))
            && (builders_left || !is_module(item, "builder"))
    });
    Ok(unused.len())
}

/// Whether `text` holds the path `path` (not merely a longer name that starts with it).
fn names(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        !text[at + path.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })
}

fn is_module(item: &syn::Item, name: &str) -> bool {
    matches!(item, syn::Item::Mod(module) if module.ident == name)
}

/// The items of the inline module `name` among `items`.
fn module_items<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == name => {
            module.content.as_mut().map(|(_, inner)| inner)
        }
        _ => None,
    })
}

/// The builder an item of the builder module belongs to: the struct itself, or an impl for
/// it (`Default`, its setters, `From<super::X>`) or from it (`TryFrom<X> for super::X`).
fn builder_of(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(builder) => Some(builder.ident.to_string()),
        syn::Item::Impl(block) => last_segment(&block.self_ty),
        _ => None,
    }
}

/// The type whose `builder()` constructor an item of `types` is: `impl X { pub fn builder()
/// -> builder::X }` and nothing else.
fn constructed_builder(item: &syn::Item) -> Option<String> {
    let syn::Item::Impl(block) = item else {
        return None;
    };
    let only_builder = block.trait_.is_none()
        && !block.items.is_empty()
        && block
            .items
            .iter()
            .all(|member| matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
    only_builder.then(|| last_segment(&block.self_ty)).flatten()
}

fn last_segment(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = r#"
        pub mod types {
            pub struct Key { pub hash: String }
            impl Key { pub fn builder() -> builder::Key { Default::default() } }
            pub struct NewKey { pub name: String }
            impl NewKey { pub fn builder() -> builder::NewKey { Default::default() } }
            pub struct KeyList { pub data: Vec<Key> }
            impl KeyList { pub fn builder() -> builder::KeyList { Default::default() } }
            pub mod builder {
                pub struct Key { hash: Result<String, String> }
                impl Default for Key { fn default() -> Self { todo!() } }
                impl Key { pub fn hash(self) -> Self { self } }
                impl TryFrom<Key> for super::Key { type Error = String; }
                impl From<super::Key> for Key { }
                pub struct NewKey { name: Result<String, String> }
                impl Default for NewKey { fn default() -> Self { todo!() } }
                impl TryFrom<NewKey> for super::NewKey { type Error = String; }
                pub struct KeyList { data: Result<Vec<super::Key>, String> }
                impl Default for KeyList { fn default() -> Self { todo!() } }
            }
            pub mod error { pub struct ConversionError; }
        }
        pub mod builder {
            pub struct CreateKeys<'a> { body: Result<types::builder::NewKey, String> }
            pub struct Key<'a> { client: &'a Client }
            impl<'a> Key<'a> { pub fn new() -> builder::Key<'a> { todo!() } }
        }
    "#;

    fn text(file: &syn::File) -> String {
        tokens_of(file)
    }

    #[test]
    fn only_the_builders_that_code_outside_names_are_kept() {
        let mut file: syn::File = syn::parse_str(CLIENT).unwrap();
        assert_eq!(drop_unused_builders(&mut file).unwrap(), 2);
        let out = text(&file);
        // The request body's builder, used by the operation builder, stays whole.
        assert!(out.contains("pub struct NewKey { name : Result"), "{out}");
        assert!(
            out.contains("impl TryFrom < NewKey > for super :: NewKey"),
            "{out}"
        );
        assert!(
            out.contains("pub fn builder () -> builder :: NewKey"),
            "{out}"
        );
        // An operation builder called like a type does not keep the type's builder.
        for gone in [
            "pub fn builder () -> builder :: Key",
            "hash : Result",
            "impl TryFrom < Key > for super :: Key",
            "impl From < super :: Key > for Key",
            "impl Key { pub fn hash",
            "builder :: KeyList",
            "data : Result",
        ] {
            assert!(!out.contains(gone), "{gone}: {out}");
        }
        // The types themselves, the other modules and the operation builders stay.
        for kept in [
            "pub struct Key { pub hash : String }",
            "pub struct KeyList { pub data : Vec < Key > }",
            "pub mod error",
            "pub struct CreateKeys",
            "impl < 'a > Key < 'a >",
        ] {
            assert!(out.contains(kept), "{kept}: {out}");
        }
    }

    #[test]
    fn a_builder_module_left_empty_is_dropped() {
        let unused = CLIENT.replace("types::builder::NewKey", "types::NewKey");
        let mut file: syn::File = syn::parse_str(&unused).unwrap();
        assert_eq!(drop_unused_builders(&mut file).unwrap(), 3);
        let out = text(&file);
        assert!(!out.contains("pub mod builder { pub struct Key {"), "{out}");
        assert!(!out.contains("fn builder ()"), "{out}");
        assert!(out.contains("pub mod error"), "{out}");
    }

    #[test]
    fn a_longer_name_does_not_count_as_a_use() {
        assert!(names(
            "x types :: builder :: NewKey >",
            "types :: builder :: NewKey"
        ));
        assert!(!names(
            "x types :: builder :: NewKeyRequest",
            "types :: builder :: NewKey"
        ));
        assert!(names(
            "types :: builder :: NewKey",
            "types :: builder :: NewKey"
        ));
    }
}
