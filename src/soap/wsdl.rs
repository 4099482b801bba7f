//! WSDL 1.1 generation from `schema`: one document per API namespace, document/literal, SOAP 1.1
//! binding, `authHeader` as a header part and the three fault elements in the base namespace
//! (spec/ips-soap.md §3–6). The service address points back at this server.

use super::ns::{ApiNs, BASE_NS};
use super::schema::{Complex, Op, ARRAYS, F, OPS, TYPES};
use super::xml::escape;
use std::fmt::Write;

const FAULTS: &[&str] = &["authenticationFault", "authorizationFault", "ipsApiFault"];

/// The WSDL for `ns`, with `service_url` as the SOAP address.
pub fn generate(ns: &ApiNs, service_url: &str) -> String {
    let tns = escape(&ns.uri);
    let mut w = String::with_capacity(64 * 1024);
    w.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        w,
        "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" \
         xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:types=\"{tns}\" xmlns:tns=\"{tns}\" \
         xmlns:base=\"{BASE_NS}\" targetNamespace=\"{tns}\">\n<wsdl:types>\n"
    );
    if ns.uri != BASE_NS {
        let _ = writeln!(
            w,
            "<xsd:schema targetNamespace=\"{BASE_NS}\" elementFormDefault=\"qualified\">"
        );
        base_elements(&mut w);
        w.push_str("</xsd:schema>\n");
    }
    let _ = writeln!(
        w,
        "<xsd:schema targetNamespace=\"{tns}\" elementFormDefault=\"qualified\">"
    );
    if ns.uri == BASE_NS {
        base_elements(&mut w);
    }
    for (name, item) in ARRAYS {
        array_type(&mut w, name, item);
    }
    for t in TYPES {
        complex_type(&mut w, t);
    }
    for op in OPS {
        element(&mut w, &format!("{}Param", op.name), op.input);
        element(&mut w, &format!("{}Return", op.name), op.output);
    }
    w.push_str("</xsd:schema>\n</wsdl:types>\n");
    messages(&mut w);
    port_type(&mut w);
    binding(&mut w);
    let _ = write!(
        w,
        "<wsdl:service name=\"IpsApiService\"><wsdl:port name=\"IpsApiSoapPort\" binding=\"tns:IpsApiSoapBinding\">\
         <soap:address location=\"{}\"/></wsdl:port></wsdl:service>\n</wsdl:definitions>\n",
        escape(service_url)
    );
    w
}

fn type_ref(t: &str) -> String {
    if t.starts_with("xsd:") {
        t.to_string()
    } else {
        format!("types:{t}")
    }
}

fn sequence(w: &mut String, fields: &[F]) {
    w.push_str("<xsd:sequence>");
    for f in fields {
        let min = if f.2 { 1 } else { 0 };
        let _ = write!(
            w,
            "<xsd:element name=\"{}\" type=\"{}\" minOccurs=\"{min}\"/>",
            f.0,
            type_ref(f.1)
        );
    }
    w.push_str("</xsd:sequence>");
}

fn base_elements(w: &mut String) {
    w.push_str(
        "<xsd:element name=\"authHeader\"><xsd:complexType><xsd:sequence>\
         <xsd:element name=\"user\" type=\"xsd:string\"/><xsd:element name=\"password\" type=\"xsd:string\"/>\
         <xsd:element name=\"locale\" type=\"xsd:string\" minOccurs=\"0\"/>\
         <xsd:element name=\"appName\" type=\"xsd:string\" minOccurs=\"0\"/>\
         <xsd:element name=\"appVersion\" type=\"xsd:string\" minOccurs=\"0\"/>\
         <xsd:element name=\"gzipResponse\" type=\"xsd:boolean\" minOccurs=\"0\"/>\
         <xsd:element name=\"faultHttpStatusCode\" type=\"xsd:int\" minOccurs=\"0\"/>\
         </xsd:sequence></xsd:complexType></xsd:element>\n",
    );
    for f in FAULTS {
        let _ = writeln!(
            w,
            "<xsd:element name=\"{f}\"><xsd:complexType><xsd:sequence>\
             <xsd:element name=\"code\" type=\"xsd:int\"/><xsd:element name=\"reason\" type=\"xsd:string\"/>\
             </xsd:sequence></xsd:complexType></xsd:element>"
        );
    }
}

fn array_type(w: &mut String, name: &str, item: &str) {
    let _ = writeln!(
        w,
        "<xsd:complexType name=\"{name}\"><xsd:sequence><xsd:element name=\"items\" type=\"{}\" \
         minOccurs=\"0\" maxOccurs=\"unbounded\"/></xsd:sequence></xsd:complexType>",
        type_ref(item)
    );
}

fn complex_type(w: &mut String, t: &Complex) {
    let _ = write!(w, "<xsd:complexType name=\"{}\">", t.name);
    sequence(w, t.fields);
    w.push_str("</xsd:complexType>\n");
}

fn element(w: &mut String, name: &str, fields: &[F]) {
    let _ = write!(w, "<xsd:element name=\"{name}\"><xsd:complexType>");
    sequence(w, fields);
    w.push_str("</xsd:complexType></xsd:element>\n");
}

fn messages(w: &mut String) {
    w.push_str("<wsdl:message name=\"authHeader\"><wsdl:part name=\"authHeader\" element=\"base:authHeader\"/></wsdl:message>\n");
    for f in FAULTS {
        let _ = writeln!(w, "<wsdl:message name=\"{f}\"><wsdl:part name=\"fault\" element=\"base:{f}\"/></wsdl:message>");
    }
    for Op { name, .. } in OPS {
        let _ = writeln!(
            w,
            "<wsdl:message name=\"{name}Request\"><wsdl:part name=\"parameters\" element=\"tns:{name}Param\"/></wsdl:message>\
             <wsdl:message name=\"{name}Response\"><wsdl:part name=\"parameters\" element=\"tns:{name}Return\"/></wsdl:message>"
        );
    }
}

fn port_type(w: &mut String) {
    w.push_str("<wsdl:portType name=\"IpsApiPortType\">\n");
    for Op { name, .. } in OPS {
        let _ = write!(
            w,
            "<wsdl:operation name=\"{name}\"><wsdl:input message=\"tns:{name}Request\"/><wsdl:output message=\"tns:{name}Response\"/>"
        );
        for f in FAULTS {
            let _ = write!(w, "<wsdl:fault name=\"{f}\" message=\"tns:{f}\"/>");
        }
        w.push_str("</wsdl:operation>\n");
    }
    w.push_str("</wsdl:portType>\n");
}

fn binding(w: &mut String) {
    w.push_str(
        "<wsdl:binding name=\"IpsApiSoapBinding\" type=\"tns:IpsApiPortType\">\
         <soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n",
    );
    for Op { name, .. } in OPS {
        let _ = write!(
            w,
            "<wsdl:operation name=\"{name}\"><soap:operation soapAction=\"{name}\" style=\"document\"/>\
             <wsdl:input><soap:body use=\"literal\"/><soap:header message=\"tns:authHeader\" part=\"authHeader\" use=\"literal\"/></wsdl:input>\
             <wsdl:output><soap:body use=\"literal\"/></wsdl:output>"
        );
        for f in FAULTS {
            let _ = write!(
                w,
                "<wsdl:fault name=\"{f}\"><soap:fault name=\"{f}\" use=\"literal\"/></wsdl:fault>"
            );
        }
        w.push_str("</wsdl:operation>\n");
    }
    w.push_str("</wsdl:binding>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml::{parse, XmlLimits};

    #[test]
    fn wsdl_is_well_formed_and_lists_every_operation() {
        for ns in [ApiNs::base(), ApiNs::for_version(Some("2014-04-03"))] {
            let doc = generate(&ns, "http://h:1/scene7/services/IpsApiService");
            let root = parse(doc.as_bytes(), XmlLimits::default()).unwrap();
            let wsdl = "http://schemas.xmlsoap.org/wsdl/";
            let pt = root.child("portType", wsdl).unwrap();
            assert_eq!(pt.children.len(), OPS.len());
            assert!(doc.contains("location=\"http://h:1/scene7/services/IpsApiService\""));
            assert!(doc.contains(&format!("targetNamespace=\"{}\"", ns.uri)));
        }
    }
}
