//! SOAP wire format only: envelope parsing, namespaces and versions, faults, reply writing and
//! the WSDL. No business logic lives here; `api` consumes what `envelope` produces.

pub mod envelope;
pub mod fault;
pub mod ns;
pub mod params;
pub mod schema;
pub mod writer;
pub mod wsdl;
pub mod xml;

pub use fault::Fault;
pub use ns::{ApiNs, BASE_NS};

/// SOAP envelope version of a request; the reply uses the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    Soap11,
    Soap12,
}

pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

impl SoapVersion {
    pub fn ns(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NS,
            SoapVersion::Soap12 => SOAP12_NS,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "text/xml; charset=UTF-8",
            SoapVersion::Soap12 => "application/soap+xml; charset=UTF-8",
        }
    }
    /// Wraps body content in a full envelope with an empty header.
    pub fn envelope(self, body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{}\"><soapenv:Header/><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>",
            self.ns()
        )
    }
}
