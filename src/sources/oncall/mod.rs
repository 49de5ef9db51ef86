//! On-call sources: who is on call now, from PagerDuty or Opsgenie (filled in next).
