//! Alertmanager silences and the label matchers they (and the alert filter) are made of.

use super::alert::Labels;
use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    #[serde(default = "default_true")]
    pub is_equal: bool,
}

fn default_true() -> bool {
    true
}

impl Matcher {
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            value: value.into(),
            is_regex: false,
            is_equal: true,
        }
    }

    pub fn operator(&self) -> &'static str {
        match (self.is_regex, self.is_equal) {
            (false, true) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (true, false) => "!~",
        }
    }

    /// Parse `name=value`, `name!="value"`, `name=~regex`, `name!~regex` (Alertmanager syntax).
    pub fn parse(text: &str) -> Result<Matcher, String> {
        let text = text.trim();
        let ops = ["!=", "=~", "!~", "="];
        let (pos, op) = ops
            .iter()
            .filter_map(|op| text.find(op).map(|p| (p, *op)))
            .min_by_key(|(p, op)| (*p, std::cmp::Reverse(op.len())))
            .ok_or_else(|| format!("`{text}` is not a matcher: write name=value, name!=value, name=~regex or name!~regex"))?;
        let name = text[..pos].trim();
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || name.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(format!(
                "`{name}` is not a label name (letters, digits and _ only)"
            ));
        }
        let raw = text[pos + op.len()..].trim();
        let value = unquote(raw);
        let m = Matcher {
            name: name.to_string(),
            value,
            is_regex: op.contains('~'),
            is_equal: !op.starts_with('!'),
        };
        if m.is_regex {
            Regex::new(&format!("^(?:{})$", m.value)).map_err(|e| {
                // The regex crate's message draws a caret under the input over several lines;
                // its last line says what is wrong.
                let e = e.to_string();
                let why = e.lines().last().unwrap_or(&e).trim();
                let why = why.strip_prefix("error: ").unwrap_or(why);
                format!("bad regex in `{text}`: {why}")
            })?;
        }
        Ok(m)
    }

    /// Compile once for repeated use against many alerts.
    pub fn compile(&self) -> CompiledMatcher {
        let regex = if self.is_regex {
            Regex::new(&format!("^(?:{})$", self.value)).ok()
        } else {
            None
        };
        CompiledMatcher {
            matcher: self.clone(),
            regex,
        }
    }
}

impl std::fmt::Display for Matcher {
    /// `name="value"`, the value quoted as JSON (which `parse` reads back, and Alertmanager's
    /// matcher syntax accepts): Rust's `{:?}` would write some characters as `\u{…}`, which
    /// reads back as different text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted = serde_json::to_string(&self.value).map_err(|_| std::fmt::Error)?;
        write!(f, "{}{}{quoted}", self.name, self.operator())
    }
}

fn unquote(raw: &str) -> String {
    if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw[1..raw.len() - 1].to_string())
    } else {
        raw.to_string()
    }
}

#[derive(Clone, Debug)]
pub struct CompiledMatcher {
    pub matcher: Matcher,
    regex: Option<Regex>,
}

impl CompiledMatcher {
    /// Alertmanager semantics: a missing label is the empty string.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels
            .get(&self.matcher.name)
            .map(String::as_str)
            .unwrap_or("");
        let hit = match &self.regex {
            Some(re) => re.is_match(value),
            None if self.matcher.is_regex => false,
            None => value == self.matcher.value,
        };
        hit == self.matcher.is_equal
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    Active,
    Pending,
    Expired,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Silence {
    pub id: String,
    /// The Alertmanager it lives on.
    pub source: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
    pub state: SilenceState,
}

/// What we ask Alertmanager to create (`POST /api/v2/silences`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSilence {
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_all_operators() {
        assert_eq!(Matcher::parse("a=b").unwrap().operator(), "=");
        assert_eq!(Matcher::parse("a!=b").unwrap().operator(), "!=");
        assert_eq!(Matcher::parse("a=~b.*").unwrap().operator(), "=~");
        assert_eq!(Matcher::parse("a!~b").unwrap().operator(), "!~");
        assert_eq!(Matcher::parse(r#"a="x y""#).unwrap().value, "x y");
        assert!(Matcher::parse("=b").is_err());
        assert!(Matcher::parse("nothing").is_err());
        assert!(Matcher::parse("a=~(").is_err());
    }

    #[test]
    fn matches_like_alertmanager() {
        let l = labels(&[("severity", "critical"), ("service", "checkout")]);
        assert!(
            Matcher::parse("severity=critical")
                .unwrap()
                .compile()
                .matches(&l)
        );
        assert!(
            Matcher::parse("service=~check.*")
                .unwrap()
                .compile()
                .matches(&l)
        );
        assert!(
            !Matcher::parse("service=~check")
                .unwrap()
                .compile()
                .matches(&l)
        );
        assert!(Matcher::parse("team!=x").unwrap().compile().matches(&l));
        assert!(Matcher::parse("team=").unwrap().compile().matches(&l));
    }
}
