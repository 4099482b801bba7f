//! Upload job options (`UploadPostJob`, spec/ips-operations.md §8.12): the subset that affects
//! ingestion, parsed from the servlet's XML and kept with the job as a compact string so later
//! POSTs of the same job reuse them.

use crate::soap::envelope::parse_bool;
use crate::soap::xml::Element;

#[derive(Debug, Clone, PartialEq)]
pub struct UploadOptions {
    pub overwrite: bool,
    pub ready_for_publish: bool,
    /// None = fall back to the company's retainPublishState.
    pub preserve_publish: Option<bool>,
    pub preserve_publish_state: bool,
    pub create_mask: bool,
    pub email_setting: String,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            overwrite: false,
            ready_for_publish: false,
            preserve_publish: None,
            preserve_publish_state: false,
            create_mask: false,
            email_setting: "None".into(),
        }
    }
}

impl UploadOptions {
    /// Reads an `uploadParams` element; unknown children (crop, Photoshop, PDF options …) are
    /// accepted and ignored because ipsd does not run those processors.
    pub fn from_element(e: &Element) -> Result<Self, String> {
        let mut o = UploadOptions::default();
        for c in &e.children {
            let b = || parse_bool(&c.text).ok_or_else(|| format!("'{}' must be a boolean", c.name));
            match c.name.as_str() {
                "overwrite" => o.overwrite = b()?,
                "readyForPublish" => o.ready_for_publish = b()?,
                "preservePublishState" => o.preserve_publish = Some(b()?),
                "createMask" => o.create_mask = b()?,
                "emailSetting" => o.email_setting = c.text.trim().to_string(),
                _ => {}
            }
        }
        o.preserve_publish_state = o.preserve_publish.unwrap_or(false);
        Ok(o)
    }

    /// Compact form stored with the job.
    pub fn to_stored(&self) -> String {
        let pp = self
            .preserve_publish
            .map(|b| b.to_string())
            .unwrap_or_default();
        format!(
            "overwrite={};ready={};preserve={pp};mask={};email={}",
            self.overwrite, self.ready_for_publish, self.create_mask, self.email_setting
        )
    }

    pub fn from_stored(s: &str) -> Self {
        let mut o = UploadOptions::default();
        for kv in s.split(';') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k {
                "overwrite" => o.overwrite = v == "true",
                "ready" => o.ready_for_publish = v == "true",
                "preserve" => o.preserve_publish = parse_bool(v),
                "mask" => o.create_mask = v == "true",
                "email" => o.email_setting = v.to_string(),
                _ => {}
            }
        }
        o.preserve_publish_state = o.preserve_publish.unwrap_or(false);
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_round_trip() {
        let o = UploadOptions {
            overwrite: true,
            ready_for_publish: true,
            preserve_publish: Some(false),
            preserve_publish_state: false,
            create_mask: false,
            email_setting: "All".into(),
        };
        assert_eq!(UploadOptions::from_stored(&o.to_stored()), o);
    }
}
