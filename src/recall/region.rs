//! Recall's regions: each is a separate deployment with its own keys and bots.

use std::fmt;
use std::str::FromStr;

/// One of Recall's four regional deployments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    UsEast1,
    UsWest2,
    EuCentral1,
    ApNortheast1,
}

impl Region {
    /// Every region, in the order botlens tries them when it does not know better.
    pub const ALL: [Region; 4] = [
        Region::UsWest2,
        Region::UsEast1,
        Region::EuCentral1,
        Region::ApNortheast1,
    ];

    /// The label Recall uses in host names, e.g. `us-west-2`.
    pub fn label(self) -> &'static str {
        match self {
            Region::UsEast1 => "us-east-1",
            Region::UsWest2 => "us-west-2",
            Region::EuCentral1 => "eu-central-1",
            Region::ApNortheast1 => "ap-northeast-1",
        }
    }

    /// `https://{region}.recall.ai`.
    pub fn recall_base(self) -> String {
        expand_host_template(DEFAULT_HOST_TEMPLATE, self)
    }

    /// The Explorer page of one bot in this region's dashboard.
    pub fn explorer_url(self, bot_id: &str) -> String {
        format!("{}/dashboard/explorer/bot/{}", self.recall_base(), bot_id)
    }

    /// The region that answers for a host name. Recall's legacy `api.recall.ai`
    /// is the same deployment as us-east-1, and so is any host without a
    /// region label (the simulator follows this rule for `127.0.0.1`).
    pub fn from_host(host: &str) -> Region {
        let name = host.split(':').next().unwrap_or_default();
        let first_label = name.split('.').next().unwrap_or_default();
        first_label.parse().unwrap_or(Region::UsEast1)
    }
}

/// The bot a Recall URL names after `/bot/` (an Explorer page, an API path,
/// a media link), in lower case, and the region its host names, if any.
pub fn bot_in_url(url: &str) -> Option<(String, Option<Region>)> {
    let (_, after) = url.split_once("/bot/")?;
    let id = after.split(['/', '?', '#']).next()?;
    if !crate::detect::is_uuid(id) {
        return None;
    }
    let host = url
        .split_once("://")
        .map_or("", |(_, rest)| rest)
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or_default();
    let region = host.split('.').next().and_then(|label| label.parse().ok());
    Some((id.to_ascii_lowercase(), region))
}

/// Where the API lives unless the user says otherwise.
pub const DEFAULT_HOST_TEMPLATE: &str = "https://{region}.recall.ai";

/// Is this host name this computer? (`http://` is allowed there only.)
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// May the key be sent to this host template? It must be `https://` (plain
/// `http://` only on loopback, for the simulator), with a host and no user
/// name, query or fragment. The error says what to change.
pub fn check_host_template(template: &str) -> Result<(), String> {
    let t = template.trim();
    let (scheme, rest) = t
        .split_once("://")
        .ok_or("The Recall host must start with https://")?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(authority, |(h, _)| h);
    if host.is_empty() || authority.contains('@') || rest.contains(['?', '#']) {
        return Err("The Recall host is a host name only, like https://{region}.recall.ai".into());
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        _ => Err(
            "The Recall host must use https:// — the key would cross the network in clear text \
             (http:// only on this computer, for the simulator)."
                .into(),
        ),
    }
}

/// Replace `{region}` in a host template such as `http://{region}.localhost:8787`.
/// A trailing slash is dropped so paths can be appended as they are.
pub fn expand_host_template(template: &str, region: Region) -> String {
    template
        .trim()
        .trim_end_matches('/')
        .replace("{region}", region.label())
}

#[cfg(test)]
mod host_tests {
    use super::*;

    #[test]
    fn the_key_goes_over_https_or_stays_on_this_computer() {
        for ok in [
            DEFAULT_HOST_TEMPLATE,
            "https://api.recall.ai",
            "http://{region}.localhost:8787",
            "http://127.0.0.1:9000/",
            "http://[::1]:80",
        ] {
            assert_eq!(check_host_template(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://{region}.recall.ai",
            "http://evil.example",
            "http://localhost.evil.example",
            "ftp://x",
            "https://user:pw@x.example",
            "https://x.example/?a=1",
            "recall.ai",
            "https://",
        ] {
            assert!(check_host_template(bad).is_err(), "{bad}");
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The text was not one of the four region labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {0:?}: expected one of us-west-2, us-east-1, eu-central-1, ap-northeast-1")]
pub struct UnknownRegion(pub String);

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::ALL
            .into_iter()
            .find(|r| r.label().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRegion(s.to_string()))
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

impl<'de> serde::Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_bot_and_region() {
        let id = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";
        assert_eq!(
            bot_in_url(&Region::EuCentral1.explorer_url(&id.to_uppercase())),
            Some((id.to_string(), Some(Region::EuCentral1)))
        );
        assert_eq!(
            bot_in_url(&format!("https://api.recall.ai/api/v1/bot/{id}/?x=1")),
            Some((id.to_string(), None))
        );
        assert_eq!(
            bot_in_url(&format!(
                "https://us-west-2-recallai-bucket.s3.amazonaws.com/transcript/t/bot/{id}/t.json"
            )),
            Some((id.to_string(), None))
        );
        assert_eq!(
            bot_in_url("https://us-west-2.recall.ai/dashboard/explorer/bot/nope"),
            None
        );
        assert_eq!(bot_in_url("no url"), None);
    }

    #[test]
    fn host_names_map_to_regions() {
        assert_eq!(Region::from_host("us-west-2.recall.ai"), Region::UsWest2);
        assert_eq!(
            Region::from_host("eu-central-1.localhost:8787"),
            Region::EuCentral1
        );
        assert_eq!(Region::from_host("api.recall.ai"), Region::UsEast1);
        assert_eq!(Region::from_host("127.0.0.1:8787"), Region::UsEast1);
        assert_eq!(Region::from_host(""), Region::UsEast1);
    }

    #[test]
    fn explorer_links_use_the_bots_region() {
        assert_eq!(
            Region::ApNortheast1.explorer_url("0b5f5b0e-1111-4a4a-8b8b-123456789abc"),
            "https://ap-northeast-1.recall.ai/dashboard/explorer/bot/0b5f5b0e-1111-4a4a-8b8b-123456789abc"
        );
    }

    #[test]
    fn templates_expand() {
        assert_eq!(
            expand_host_template("http://{region}.localhost:8787/", Region::UsWest2),
            "http://us-west-2.localhost:8787"
        );
        assert_eq!("EU-CENTRAL-1".parse::<Region>(), Ok(Region::EuCentral1));
        assert!("mars-1".parse::<Region>().is_err());
    }
}
