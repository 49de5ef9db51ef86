//! Every kind of source sitrep knows, one line each. Adding a kind is a new folder under
//! `sources/` with a `SourceDriver`, and one line here. The order is the order sources are
//! read from flags, the config file and discovery.

use super::driver::SourceDriver;
use super::{alertmanager, argocd, catalog, kube, oncall, prometheus};
use crate::model::source::SourceKind;

static DRIVERS: &[&dyn SourceDriver] = &[
    &alertmanager::Alertmanager,
    &prometheus::Prometheus,
    &argocd::Argocd,
    &catalog::Catalog,
    &oncall::OnCall,
    &kube::Kube,
];

/// Every registered driver, in registration order.
pub fn drivers() -> &'static [&'static dyn SourceDriver] {
    DRIVERS
}

/// The driver of `kind`; `None` for a kind that has none yet.
pub fn driver_for(kind: SourceKind) -> Option<&'static dyn SourceDriver> {
    DRIVERS.iter().copied().find(|d| d.kind() == kind)
}

/// What the status line calls a source: its kind's tag (`AM`, `prom`) when the source carries
/// its kind's default name, else `None` (show its configured name, `prod-eu`).
pub fn default_label(kind: SourceKind, name: &str) -> Option<&'static str> {
    let (default, tag) = match driver_for(kind) {
        Some(d) => (d.name(), d.tag()),
        None => (kind.tag(), kind.tag()),
    };
    (name.eq_ignore_ascii_case(default) || name.eq_ignore_ascii_case(tag)).then_some(tag)
}

/// "an Alertmanager", for "not found: is this an Alertmanager?".
pub fn noun(kind: SourceKind) -> &'static str {
    driver_for(kind).map_or("the right kind of server", |d| d.noun())
}

/// `[[alertmanager]]/[[prometheus]]/[[argocd]]` joined by `sep` (`last` before the last one),
/// for config messages that list every table.
pub fn tables(sep: &str, last: &str) -> String {
    let names: Vec<String> = DRIVERS
        .iter()
        .map(|d| format!("[[{}]]", d.name()))
        .collect();
    match names.split_last() {
        Some((tail, [])) => tail.clone(),
        Some((tail, init)) => format!("{}{last}{tail}", init.join(sep)),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_driver_per_kind_and_unique_names() {
        let mut kinds: Vec<_> = drivers().iter().map(|d| d.kind()).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), drivers().len());
        let mut names: Vec<_> = drivers().iter().map(|d| d.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), drivers().len());
        for d in drivers() {
            assert_eq!(driver_for(d.kind()).map(|x| x.name()), Some(d.name()));
        }
    }

    #[test]
    fn labels_and_table_lists() {
        assert_eq!(
            default_label(SourceKind::Alertmanager, "Alertmanager"),
            Some("AM")
        );
        assert_eq!(default_label(SourceKind::Alertmanager, "am"), Some("AM"));
        assert_eq!(default_label(SourceKind::Prometheus, "prom"), Some("prom"));
        assert_eq!(default_label(SourceKind::Argocd, "argocd"), Some("argocd"));
        assert_eq!(default_label(SourceKind::Argocd, "prod-eu"), None);
        assert_eq!(default_label(SourceKind::Kube, "kube"), Some("kube"));
        assert_eq!(
            tables("/", "/"),
            "[[alertmanager]]/[[prometheus]]/[[argocd]]/[[catalog]]/[[oncall]]/[[kubernetes]]"
        );
        assert_eq!(
            tables(", ", " or "),
            "[[alertmanager]], [[prometheus]], [[argocd]], [[catalog]], [[oncall]] or [[kubernetes]]"
        );
    }
}
