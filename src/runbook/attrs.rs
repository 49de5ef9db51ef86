//! A fence's info string: ```` ```sh {"name":"pods","kind":"diagnose"} ````.
//!
//! Runme's two attribute forms: JSON (tried first) and HTML-style `{ name=pods kind=diagnose }`
//! with optional quotes (`name="two words"`). Values are strings; JSON booleans and numbers are
//! taken as their text, so `"confirm":true` and `"confirm":"true"` mean the same.

use std::collections::BTreeMap;

/// The info string split: the language and the attribute text, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info<'a> {
    pub lang: &'a str,
    /// `{…}` after the language, braces included.
    pub attrs: Option<&'a str>,
    /// Anything else after the language (ignored, worth a warning).
    pub rest: &'a str,
}

pub fn split_info(info: &str) -> Info<'_> {
    let info = info.trim();
    let end = info
        .find(|c: char| c.is_whitespace() || c == '{')
        .unwrap_or(info.len());
    let (lang, rest) = info.split_at(end);
    let rest = rest.trim();
    if rest.starts_with('{') {
        Info {
            lang,
            attrs: Some(rest),
            rest: "",
        }
    } else {
        Info {
            lang,
            attrs: None,
            rest,
        }
    }
}

/// Attributes by name, and remarks worth a warning (a JSON array taken as text…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub values: BTreeMap<String, String>,
    pub remarks: Vec<String>,
}

/// Parse `{…}`: JSON first, then HTML-style. The error says why neither form applies.
pub fn parse(text: &str) -> Result<Attributes, String> {
    let text = text.trim();
    if let Ok(map) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
        return Ok(from_json(map));
    }
    parse_html_style(text)
}

fn from_json(map: serde_json::Map<String, serde_json::Value>) -> Attributes {
    use serde_json::Value;
    let mut out = Attributes::default();
    for (key, value) in map {
        let text = match value {
            Value::String(s) => s,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            other @ (Value::Array(_) | Value::Object(_)) => {
                out.remarks.push(format!(
                    "attribute '{key}' is not a string, number or boolean; taken as its JSON text"
                ));
                other.to_string()
            }
        };
        out.values.insert(key, text);
    }
    out
}

/// `{ name=pods kind=diagnose title="two words" interactive }`: a bare name means "true".
fn parse_html_style(text: &str) -> Result<Attributes, String> {
    let inner = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(|| "attributes must be enclosed in { }".to_string())?;
    let mut out = Attributes::default();
    let mut chars = inner.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut key_end = inner.len();
        while let Some(&(i, c)) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                key_end = i;
                break;
            }
            if matches!(c, '"' | '\'' | '{' | '}' | ',' | ':') {
                return Err(format!(
                    "attributes are neither JSON nor name=value pairs: unexpected '{c}'"
                ));
            }
            chars.next();
        }
        let key = &inner[start..key_end];
        if key.is_empty() {
            return Err(
                "attributes are neither JSON nor name=value pairs: a value without a name"
                    .to_string(),
            );
        }
        let value = if chars.next_if(|(_, c)| *c == '=').is_some() {
            read_value(inner, &mut chars)?
        } else {
            "true".to_string()
        };
        out.values.insert(key.to_string(), value);
    }
    Ok(out)
}

fn read_value(
    inner: &str,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<String, String> {
    match chars.peek().map(|&(_, c)| c) {
        Some(q @ ('"' | '\'')) => {
            chars.next();
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some((_, c)) if c == q => return Ok(value),
                    // `\"` inside double quotes, as people write it.
                    Some((_, '\\')) if chars.peek().is_some_and(|&(_, c)| c == q) => {
                        value.push(q);
                        chars.next();
                    }
                    Some((_, c)) => value.push(c),
                    None => return Err(format!("attribute value has no closing {q}")),
                }
            }
        }
        _ => {
            let start = chars.peek().map_or(inner.len(), |&(i, _)| i);
            let mut end = inner.len();
            while let Some(&(i, c)) = chars.peek() {
                if c.is_whitespace() {
                    end = i;
                    break;
                }
                chars.next();
            }
            Ok(inner[start..end].to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap().values.into_iter().collect()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn json_values_are_strings_whatever_their_json_type() {
        assert_eq!(
            values(r#"{"name":"pods","confirm":true,"timeout":30,"cwd":null}"#),
            pairs(&[
                ("confirm", "true"),
                ("cwd", ""),
                ("name", "pods"),
                ("timeout", "30")
            ])
        );
        let a = parse(r#"{"x":[1,2]}"#).unwrap();
        assert_eq!(a.values["x"], "[1,2]");
        assert_eq!(a.remarks.len(), 1);
    }

    #[test]
    fn html_style_with_quotes_and_bare_names() {
        assert_eq!(
            values(r#"{ name=pods kind=diagnose title="two words" other='single q' interactive }"#),
            pairs(&[
                ("interactive", "true"),
                ("kind", "diagnose"),
                ("name", "pods"),
                ("other", "single q"),
                ("title", "two words"),
            ])
        );
        assert_eq!(
            values(r#"{name="say \"hi\""}"#),
            pairs(&[("name", r#"say "hi""#)])
        );
        assert_eq!(values("{}"), pairs(&[]));
        assert_eq!(values("{ a= }"), pairs(&[("a", "")]));
    }

    #[test]
    fn broken_attributes_say_why() {
        assert!(parse(r#"{ name="open }"#).unwrap_err().contains("closing"));
        assert!(parse("name=x").unwrap_err().contains("{ }"));
        assert!(parse(r#"{"name": }"#).unwrap_err().contains("neither JSON"));
        assert!(parse("{ =x }").unwrap_err().contains("without a name"));
    }

    #[test]
    fn info_string_splits_language_and_attributes() {
        assert_eq!(
            split_info(r#"sh {"name":"x"}"#),
            Info {
                lang: "sh",
                attrs: Some(r#"{"name":"x"}"#),
                rest: ""
            }
        );
        assert_eq!(split_info("bash{ a=b }").attrs, Some("{ a=b }"));
        assert_eq!(split_info("  ").lang, "");
        assert_eq!(split_info("sh title").rest, "title");
    }
}
