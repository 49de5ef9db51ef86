//! Relative ages as people read them on a dashboard: `42s`, `12m`, `3h`, `2d`.

pub fn short(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages() {
        let f = |s| super::short(chrono::Duration::seconds(s));
        assert_eq!(f(-5), "0s");
        assert_eq!(f(59), "59s");
        assert_eq!(f(61), "1m");
        assert_eq!(f(7200), "2h");
        assert_eq!(f(200_000), "2d");
    }
}
