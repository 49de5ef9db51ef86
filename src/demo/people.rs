//! The demo world's people and paging setup, shared by the emulated catalog (who owns what)
//! and the emulated PagerDuty (who is on call), so both tell the same story.

/// A team's display name, its primary on-call engineer and the secondary (level 2).
pub struct Staff {
    pub display_name: &'static str,
    pub primary: (&'static str, &'static str),
    pub secondary: (&'static str, &'static str),
}

/// The people of each demo team (`script::TEAMS`).
pub fn staff(team: &str) -> Staff {
    let (display_name, primary, secondary) = match team {
        "payments" => ("Payments", "Priya Shah", "Marco Rossi"),
        "storefront" => ("Storefront", "Sam Okafor", "Lena Berg"),
        "identity" => ("Identity & Access", "Tom Nguyen", "Aisha Khan"),
        "discovery" => ("Discovery", "Dana Levi", "Jon Park"),
        "fulfillment" => ("Fulfillment", "Lee Chen", "Nora Smith"),
        "comms" => ("Communications", "Maria Garcia", "Ola Nowak"),
        "platform" => ("Platform", "Alice Martin", "Ravi Iyer"),
        "data" => ("Data", "Kim Jensen", "Paul Weber"),
        "search" => ("Search", "Yuki Tanaka", "Omar Haddad"),
        _ => ("Unknown team", "Nobody", "Nobody"),
    };
    Staff {
        display_name,
        primary: (primary, login(primary)),
        secondary: (secondary, login(secondary)),
    }
}

/// `Priya Shah` → `priya.shah` (static for the fixed names above).
fn login(name: &'static str) -> &'static str {
    match name {
        "Priya Shah" => "priya.shah",
        "Marco Rossi" => "marco.rossi",
        "Sam Okafor" => "sam.okafor",
        "Lena Berg" => "lena.berg",
        "Tom Nguyen" => "tom.nguyen",
        "Aisha Khan" => "aisha.khan",
        "Dana Levi" => "dana.levi",
        "Jon Park" => "jon.park",
        "Lee Chen" => "lee.chen",
        "Nora Smith" => "nora.smith",
        "Maria Garcia" => "maria.garcia",
        "Ola Nowak" => "ola.nowak",
        "Alice Martin" => "alice.martin",
        "Ravi Iyer" => "ravi.iyer",
        "Kim Jensen" => "kim.jensen",
        "Paul Weber" => "paul.weber",
        "Yuki Tanaka" => "yuki.tanaka",
        "Omar Haddad" => "omar.haddad",
        _ => "nobody",
    }
}

/// Mail domain of every demo address.
pub const MAIL_DOMAIN: &str = "example.com";

/// A team's PagerDuty service id (the catalog's `pagerduty.com/service-id` annotation), one
/// service per team: `PPAYMEN`-style, stable.
pub fn pagerduty_service_id(team: &str) -> String {
    let letters: String = team
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    format!("PS{letters}")
}

/// The team's escalation policy id in PagerDuty.
pub fn pagerduty_policy_id(team: &str) -> String {
    format!("PE{}", &pagerduty_service_id(team)[2..])
}

/// The team's rotation (`payments-primary`), as `scenario::Team::oncall` names it.
pub fn rotation(team: &str) -> String {
    format!("{team}-primary")
}

/// The component in the demo catalog that no team in the catalog owns (its owner group is
/// missing), so the owner card's "not in the catalog" path is part of the demo.
pub const ORPHAN_COMPONENT: &str = "legacy-reports";
/// The group it names as owner, absent from the catalog.
pub const ORPHAN_OWNER: &str = "group:default/bi-team";
