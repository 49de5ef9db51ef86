//! The YAML between the opening `---` and the next `---`: title, alerts, services, vars.
//!
//! Errors point at the file's line, not the YAML's: serde_yaml_ng's location is shifted by
//! where the front matter starts. Keys sitrep does not use (Runme's own, say) are warnings.

use super::model::{Problem, VarPattern, VarSpec};
use super::vars;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What the front matter says, with every problem found on the way.
#[derive(Debug, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub alerts: Vec<String>,
    pub services: Vec<String>,
    pub vars: BTreeMap<String, VarSpec>,
}

/// Where the YAML sits in the file's lines.
pub struct Block {
    /// The YAML lines joined with `\n`.
    pub yaml: String,
    /// 1-based file line of the YAML's first line.
    pub first_line: usize,
    /// How many lines the block takes, fences included.
    pub lines: usize,
}

/// The front matter block at the top of `lines`, if one is opened there. An opening `---`
/// that is never closed is reported and the file is read as having none.
pub fn split(lines: &[&str], problems: &mut Vec<Problem>) -> Option<Block> {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return None;
    }
    let Some(end) = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))
    else {
        problems.push(Problem::error(
            1,
            "front matter opened by --- is never closed (a line with only --- ends it)",
        ));
        return None;
    };
    Some(Block {
        yaml: lines[1..=end].join("\n"),
        first_line: 2,
        lines: end + 2,
    })
}

const KNOWN_KEYS: &[&str] = &["title", "alerts", "services", "vars"];

/// The typed front matter. `deny_unknown_fields` only on vars: a misspelt `patern` must not
/// silently leave a var on the default pattern.
#[derive(Deserialize, Default)]
#[serde(rename = "front matter")]
struct Raw {
    #[serde(default)]
    title: Option<Scalar>,
    #[serde(default)]
    alerts: Vec<Scalar>,
    #[serde(default)]
    services: Vec<Scalar>,
    #[serde(default)]
    vars: BTreeMap<String, RawVar>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "var")]
struct RawVar {
    label: Option<Scalar>,
    pattern: Option<Scalar>,
    default: Option<Scalar>,
}

/// A YAML scalar taken as text: `default: 8080` and `default: "8080"` are the same value.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

pub fn parse(block: &Block, problems: &mut Vec<Problem>) -> FrontMatter {
    if block.yaml.trim().is_empty() {
        return FrontMatter::default();
    }
    let file_line = |e: &serde_yaml_ng::Error| {
        e.location()
            .map_or(block.first_line, |l| block.first_line + l.line() - 1)
    };
    // Syntax first, and the keys sitrep does not know.
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&block.yaml) {
        Err(e) => {
            problems.push(Problem::error(
                file_line(&e),
                format!("front matter is not valid YAML: {}", yaml_message(&e)),
            ));
            return FrontMatter::default();
        }
        Ok(serde_yaml_ng::Value::Mapping(map)) => {
            let top_lines = key_lines(block, 0);
            for key in map.keys() {
                let key = match key {
                    serde_yaml_ng::Value::String(s) => s.clone(),
                    other => format!("{other:?}"),
                };
                if !KNOWN_KEYS.contains(&key.as_str()) {
                    problems.push(Problem::warning(
                        top_lines
                            .get(key.as_str())
                            .copied()
                            .unwrap_or(block.first_line),
                        format!(
                            "front matter key '{}' is not used by sitrep (known: {})",
                            crate::sanitize::clean_line(&key, 80),
                            KNOWN_KEYS.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(serde_yaml_ng::Value::Null) => return FrontMatter::default(),
        Ok(_) => {}
    }
    let raw: Raw = match serde_yaml_ng::from_str(&block.yaml) {
        Ok(raw) => raw,
        Err(e) => {
            problems.push(Problem::error(
                file_line(&e),
                format!("front matter: {}", yaml_message(&e)),
            ));
            return FrontMatter::default();
        }
    };
    let vars_line = key_lines(block, 0).get("vars").copied();
    let var_lines = key_lines(block, vars_line.map_or(0, |l| l - block.first_line));
    let vars = raw
        .vars
        .into_iter()
        .map(|(name, v)| {
            let line = var_lines
                .get(name.as_str())
                .copied()
                .unwrap_or(block.first_line);
            let pattern = match v.pattern {
                None => vars::default_pattern(),
                Some(Scalar(text)) => match vars::compile(&text) {
                    Ok(regex) => VarPattern {
                        text,
                        regex,
                        declared: true,
                    },
                    Err(why) => {
                        problems.push(Problem::error(
                            line,
                            format!("var {name}: pattern is not a valid regex: {why}"),
                        ));
                        refuse_everything(text)
                    }
                },
            };
            let spec = VarSpec {
                label: v.label.map(|s| s.0),
                pattern,
                default: v.default.map(|s| s.0),
                line,
            };
            (name, spec)
        })
        .collect();
    FrontMatter {
        title: raw.title.map(|s| s.0),
        alerts: raw.alerts.into_iter().map(|s| s.0).collect(),
        services: raw.services.into_iter().map(|s| s.0).collect(),
        vars,
    }
}

/// A var whose pattern is broken accepts no value at all (never "anything").
fn refuse_everything(text: String) -> VarPattern {
    VarPattern {
        text,
        regex: regex::Regex::new(r"[^\x00-\x{10FFFF}]").expect("an empty class compiles"),
        declared: true,
    }
}

/// serde_yaml_ng's message without its own "at line N column M" (the line is the file's).
fn yaml_message(e: &serde_yaml_ng::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    crate::sanitize::clean_line(&msg, 300)
}

/// The file line where each `key:` is first written, from YAML line `from` (0-based) on; in
/// block (`key: v`) and flow (`{a: 1, b: 2}`) style. One pass: a front matter may declare
/// thousands of keys.
fn key_lines(block: &Block, from: usize) -> std::collections::HashMap<&str, usize> {
    let mut lines = std::collections::HashMap::new();
    for (i, line) in block.yaml.lines().enumerate().skip(from) {
        for segment in line.split([',', '{']) {
            let Some((key, _)) = segment.split_once(':') else {
                continue;
            };
            let key = key.trim().trim_matches(['"', '\'', '-', ' ']);
            if !key.is_empty() {
                lines.entry(key).or_insert(block.first_line + i);
            }
        }
    }
    lines
}
