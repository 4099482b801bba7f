//! The three IPS fault types (spec/ips-soap.md §6) and their wire shapes. Every error a caller
//! can see goes through `Fault`; internal detail is logged where it happens and never put in a
//! reason.

use super::writer::Node;
use super::{SoapVersion, BASE_NS};

/// Which detail element a fault carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Authentication,
    Authorization,
    Api,
}

/// A SOAP fault with its IPS code and a public reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?} fault {code}: {reason}")]
pub struct Fault {
    pub kind: FaultKind,
    pub code: u32,
    pub reason: String,
}

// Codes of spec/ips-soap.md §6.2.
pub const NO_CREDENTIALS: u32 = 10000;
pub const INVALID_CREDENTIALS: u32 = 10001;
pub const INVALID_USER: u32 = 10002;
pub const INVALID_COMPANY: u32 = 20000;
pub const INVALID_REQUEST_USER: u32 = 20002;
pub const NO_OPERATION_PERMISSION: u32 = 20003;
pub const NO_IMPERSONATION_PERMISSION: u32 = 20004;
pub const ILLEGAL_PARAMETER_VALUE: u32 = 20005;
pub const ILLEGAL_COMPANY: u32 = 20006;
pub const ILLEGAL_ACCESS_GROUP: u32 = 20008;
pub const EXCEPTION: u32 = 30000;
pub const INVALID_PARAMETER: u32 = 30001;
pub const MISSING_PARAMETER: u32 = 30002;
pub const INVALID_REQUEST_XML: u32 = 30003;
/// [rec] Not in the spec: the render queue is full (admission control); retry later.
pub const BUSY: u32 = 30004;

impl Fault {
    pub fn authentication(code: u32, reason: impl Into<String>) -> Self {
        Fault {
            kind: FaultKind::Authentication,
            code,
            reason: reason.into(),
        }
    }
    pub fn authorization(code: u32, reason: impl Into<String>) -> Self {
        Fault {
            kind: FaultKind::Authorization,
            code,
            reason: reason.into(),
        }
    }
    pub fn api(code: u32, reason: impl Into<String>) -> Self {
        Fault {
            kind: FaultKind::Api,
            code,
            reason: reason.into(),
        }
    }
    /// 30001: the value is present but unusable.
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::api(INVALID_PARAMETER, reason)
    }
    /// 30002 for a required element that is absent or blank.
    pub fn missing(field: &str) -> Self {
        Self::api(
            MISSING_PARAMETER,
            format!("Missing required parameter '{field}'"),
        )
    }
    /// 30003: unparseable XML, unknown operation or namespace, wrongly typed element.
    pub fn bad_xml(reason: impl Into<String>) -> Self {
        Self::api(INVALID_REQUEST_XML, reason)
    }
    /// 30004 [rec]: too much rendering is admitted already; nothing was done, retry later.
    pub fn busy() -> Self {
        Self::api(
            BUSY,
            "Server busy: the render queue is full; nothing was stored, retry later",
        )
    }
    /// 30000 with a generic reason; the caller logs the detail.
    pub fn internal() -> Self {
        Self::api(EXCEPTION, "Internal server error")
    }

    /// Detail element name.
    pub fn element_name(&self) -> &'static str {
        match self.kind {
            FaultKind::Authentication => "authenticationFault",
            FaultKind::Authorization => "authorizationFault",
            FaultKind::Api => "ipsApiFault",
        }
    }

    fn fault_string(&self) -> &'static str {
        match self.kind {
            FaultKind::Authentication => "AuthenticationException",
            FaultKind::Authorization => "AuthorizationException",
            FaultKind::Api => "IpsApiException",
        }
    }

    /// Server-side (30000, 30004 busy) versus client-side (everything else).
    pub fn is_server(&self) -> bool {
        self.kind == FaultKind::Api && matches!(self.code, EXCEPTION | BUSY)
    }

    /// `<ns1:xxxFault xmlns:ns1=BASE><code>..</code><reason>..</reason></ns1:xxxFault>`, always
    /// in the base namespace (spec/ips-soap.md §3.3 rule 4).
    pub fn detail_xml(&self) -> String {
        let detail = Node::new(self.element_name())
            .text_child("code", self.code.to_string())
            .text_child("reason", &self.reason);
        detail.to_xml_with_default_ns(BASE_NS)
    }

    /// The `Fault` element for the given SOAP version.
    pub fn soap_fault_xml(&self, v: SoapVersion) -> String {
        let fs = self.fault_string();
        let detail = self.detail_xml();
        match v {
            SoapVersion::Soap11 => {
                let code = if self.is_server() { "Server" } else { "Client" };
                format!(
                    "<soapenv:Fault><faultcode>soapenv:{code}</faultcode><faultstring>{fs}</faultstring><detail>{detail}</detail></soapenv:Fault>"
                )
            }
            SoapVersion::Soap12 => {
                let code = if self.is_server() {
                    "Receiver"
                } else {
                    "Sender"
                };
                format!(
                    "<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:{code}</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang=\"en\">{fs}</soapenv:Text></soapenv:Reason><soapenv:Detail>{detail}</soapenv:Detail></soapenv:Fault>"
                )
            }
        }
    }
}
