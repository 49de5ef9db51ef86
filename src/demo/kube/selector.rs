//! Label and field selectors as the API server parses them (`?labelSelector=`,
//! `?fieldSelector=`): `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
enum Term {
    Eq(String, String),
    Ne(String, String),
    Exists(String),
    Absent(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A parsed selector; empty matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    terms: Vec<Term>,
}

/// Split on commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn set(values: &str) -> Option<Vec<String>> {
    let inner = values.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl Selector {
    /// A label selector; `Err` carries the API server's complaint.
    pub fn labels(text: &str) -> Result<Selector, String> {
        let mut terms = Vec::new();
        for t in split_terms(text) {
            let term = if let Some((k, v)) = t.split_once("!=") {
                Term::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once("==") {
                Term::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once('=') {
                Term::Eq(k.trim().into(), v.trim().into())
            } else if let Some(k) = t.strip_prefix('!') {
                Term::Absent(k.trim().into())
            } else if let Some((k, v)) = t.split_once(" notin ") {
                Term::NotIn(k.trim().into(), set(v).ok_or_else(|| bad(t))?)
            } else if let Some((k, v)) = t.split_once(" in ") {
                Term::In(k.trim().into(), set(v).ok_or_else(|| bad(t))?)
            } else if t.contains(' ') || t.contains('(') {
                return Err(bad(t));
            } else {
                Term::Exists(t.into())
            };
            terms.push(term);
        }
        Ok(Selector { terms })
    }

    /// A field selector: only `=`, `==` and `!=`, on the fields in `supported`.
    pub fn fields(text: &str, supported: &[&str]) -> Result<Selector, String> {
        let mut terms = Vec::new();
        for t in split_terms(text) {
            let term = if let Some((k, v)) = t.split_once("!=") {
                Term::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once("==") {
                Term::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once('=') {
                Term::Eq(k.trim().into(), v.trim().into())
            } else {
                return Err(format!("invalid selector: '{t}'; can't understand '{t}'"));
            };
            let key = match &term {
                Term::Eq(k, _) | Term::Ne(k, _) => k.as_str(),
                _ => "",
            };
            if !supported.contains(&key) {
                return Err(format!("field label not supported: {key}"));
            }
            terms.push(term);
        }
        Ok(Selector { terms })
    }

    /// Does a set of labels (or fields) satisfy every term?
    pub fn matches(&self, values: &BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Eq(k, v) => values.get(k) == Some(v),
            // `!=` also matches objects without the key, as the API server does.
            Term::Ne(k, v) => values.get(k) != Some(v),
            Term::Exists(k) => values.contains_key(k),
            Term::Absent(k) => !values.contains_key(k),
            Term::In(k, vs) => values.get(k).is_some_and(|v| vs.contains(v)),
            Term::NotIn(k, vs) => values.get(k).is_none_or(|v| !vs.contains(v)),
        })
    }
}

fn bad(term: &str) -> String {
    format!("unable to parse requirement: {term}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors_match_like_the_api_server() {
        let l = m(&[("app", "checkout"), ("tier", "web")]);
        let yes = [
            "",
            "app=checkout",
            "app==checkout,tier",
            "app in (checkout, cart)",
            "env notin (prod)",
            "!env",
            "tier!=db",
        ];
        for s in yes {
            assert!(Selector::labels(s).unwrap().matches(&l), "{s}");
        }
        for s in [
            "app=cart",
            "env",
            "!app",
            "app notin (checkout)",
            "tier in (db)",
        ] {
            assert!(!Selector::labels(s).unwrap().matches(&l), "{s}");
        }
        assert!(Selector::labels("app in checkout").is_err());
    }

    #[test]
    fn field_selectors_know_their_fields() {
        let f = Selector::fields(
            "type=Warning,involvedObject.name=x",
            &["type", "involvedObject.name"],
        )
        .unwrap();
        assert!(f.matches(&m(&[("type", "Warning"), ("involvedObject.name", "x")])));
        assert!(!f.matches(&m(&[("type", "Normal"), ("involvedObject.name", "x")])));
        assert_eq!(
            Selector::fields("spec.foo=1", &["type"]).unwrap_err(),
            "field label not supported: spec.foo"
        );
    }
}
