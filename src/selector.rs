//! Kubernetes label selectors, as Kubernetes and Argo CD parse them: `k=v`, `k==v`, `k!=v`,
//! `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, comma-separated, all must hold. The demo's Argo CD
//! filters apps with them (`?selector=`); the catalog join reads `argocd/app-selector`,
//! `backstage.io/kubernetes-label-selector` and `prometheus.io/labels` with them.

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// A parsed label selector (`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
/// comma-separated, all must hold).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector(Vec<Req>);

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        // Split on commas outside parentheses.
        let (mut depth, mut start) = (0, 0);
        let mut parts = Vec::new();
        for (i, c) in text.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&text[start..]);
        for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
            reqs.push(Self::requirement(part)?);
        }
        Ok(Selector(reqs))
    }

    fn requirement(part: &str) -> Result<Req, String> {
        let bad = || format!("unable to parse requirement: found '{part}', expected: key");
        let set = |key: &str, rest: &str| -> Result<(String, Vec<String>), String> {
            let rest = rest.trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("found '{rest}', expected: '('"))?;
            let values = inner.split(',').map(|v| v.trim().to_string()).collect();
            let key = key.trim();
            if !valid_key(key) {
                return Err(bad());
            }
            Ok((key.to_string(), values))
        };
        if let Some(key) = part.strip_prefix('!') {
            return valid_key(key.trim())
                .then(|| Req::Absent(key.trim().to_string()))
                .ok_or_else(bad);
        }
        for (op, not) in [(" notin ", true), (" in ", false)] {
            if let Some(i) = part.find(op) {
                let (key, values) = set(&part[..i], &part[i + op.len()..])?;
                return Ok(if not {
                    Req::NotIn(key, values)
                } else {
                    Req::In(key, values)
                });
            }
        }
        for (op, kind) in [("!=", 0), ("==", 1), ("=", 1)] {
            if let Some((k, v)) = part.split_once(op) {
                let (k, v) = (k.trim().to_string(), v.trim().to_string());
                if !valid_key(&k) {
                    return Err(bad());
                }
                return Ok(if kind == 0 {
                    Req::NotEq(k, v)
                } else {
                    Req::Eq(k, v)
                });
            }
        }
        valid_key(part)
            .then(|| Req::Exists(part.to_string()))
            .ok_or_else(bad)
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => labels.get(k) == Some(v),
            Req::NotEq(k, v) => labels.get(k) != Some(v),
            Req::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Req::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Req::Exists(k) => labels.contains_key(k),
            Req::Absent(k) => !labels.contains_key(k),
        })
    }
}

impl Selector {
    /// A selector from a catalog annotation: `None` when it does not parse, or is empty (an
    /// empty selector would match everything, which no annotation means).
    pub fn from_annotation(text: &str) -> Option<Selector> {
        Selector::parse(text).ok().filter(|s| !s.0.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors() {
        let l = labels(&[("team", "payments"), ("env", "prod")]);
        for (s, want) in [
            ("team=payments", true),
            ("team==payments,env=prod", true),
            ("team!=payments", false),
            ("team in (search, payments)", true),
            ("team notin (payments)", false),
            ("env", true),
            ("!env", false),
            ("!tier", true),
            ("", true),
        ] {
            assert_eq!(Selector::parse(s).unwrap().matches(&l), want, "{s}");
        }
        assert!(Selector::parse("team in payments").is_err());
        assert!(Selector::parse("=x").is_err());
    }

    #[test]
    fn annotations_never_select_everything() {
        assert_eq!(Selector::from_annotation(""), None);
        assert_eq!(Selector::from_annotation(" , "), None);
        assert_eq!(Selector::from_annotation("env in prod"), None);
        let l = labels(&[("app", "checkout")]);
        assert!(
            Selector::from_annotation("app=checkout")
                .unwrap()
                .matches(&l)
        );
    }
}
