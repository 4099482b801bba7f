//! The SOAP wire contract through the router: hostile and malformed input, SOAP 1.1/1.2 fault
//! shapes, faultHttpStatusCode, every authentication path, gzip, SOAPAction, namespaces, and the
//! WSDL endpoints (spec/ips-soap.md).

mod common;

use common::*;
use std::io::Read;

const CHECK: &str = "<email>admin@test.local</email><password>pw-Secret1</password>";

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_namespace_answers_in_its_own() {
    let app = TestApp::new().await;
    let mut nss: Vec<String> = ipsd::soap::ns::WSDL_VERSIONS
        .iter()
        .map(|d| format!("{BASE}/{d}"))
        .collect();
    nss.extend([
        BASE.to_string(),
        format!("{BASE}/"),
        format!("{BASE}/2011-11-04-beta"),
        format!("{BASE}/2023-01-15"),
    ]);
    for ns in nss {
        let r = app.call_ns(&ns, ADMIN, "checkLogin", CHECK).await;
        assert_eq!(r.status, 200, "{ns}: {}", r.text());
        assert_eq!(r.payload().ns.as_deref(), Some(ns.as_str()));
        assert_eq!(r.get("status"), "ValidLogin");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_input_gets_documented_faults() {
    let app = TestApp::new().await;
    let good = envelope(NS, "checkLogin", CHECK, Some((ADMIN, PW)));
    let cases: Vec<(&str, String)> = vec![
        ("truncated", good[..good.len() - 40].to_string()),
        ("not xml", "this is not xml".into()),
        ("wrong namespace", good.replace(NS, "http://example.com/evil")),
        ("unknown operation", envelope(NS, "launchMissiles", "", Some((ADMIN, PW)))),
        ("not an envelope", format!("<checkLoginParam xmlns=\"{NS}\"/>")),
        (
            "billion laughs",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]>{good}",
                (1..10).map(|i| format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", i - 1).repeat(10))).collect::<String>()
            ),
        ),
        ("deep nesting", envelope(NS, "checkLogin", &("<a>".repeat(500) + &"</a>".repeat(500)), Some((ADMIN, PW)))),
        ("empty body", "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/></soapenv:Envelope>".into()),
    ];
    for (what, body) in cases {
        let r = app.post_raw(body, &[]).await;
        assert_eq!(r.status, 500, "{what}");
        assert_eq!(
            r.fault(),
            ("ipsApiFault".into(), 30003),
            "{what}: {}",
            r.text()
        );
        assert!(
            !r.reason().contains("/tmp") && !r.reason().to_lowercase().contains("sql"),
            "{what} leaks: {}",
            r.reason()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_body_is_refused() {
    let app = TestApp::with_config(|c| c.soap_max_bytes = 4096).await;
    let big = envelope(
        NS,
        "checkLogin",
        &format!("<email>{}</email>", "x".repeat(10_000)),
        Some((ADMIN, PW)),
    );
    let r = app.post_raw(big, &[]).await;
    assert_eq!(r.code(), 30003);
    assert!(r.reason().contains("4096"));
}

#[tokio::test(flavor = "multi_thread")]
async fn authentication_paths() {
    let app = TestApp::new().await;
    let (co, _) = app.company("Auth Co").await;
    let body = |auth| envelope(NS, "checkLogin", CHECK, auth);
    assert_eq!(
        app.post_raw(body(None), &[]).await.fault(),
        ("authenticationFault".into(), 10000)
    );
    assert_eq!(
        app.post_raw(body(Some((ADMIN, "nope"))), &[]).await.code(),
        10001
    );
    assert_eq!(
        app.post_raw(body(Some(("ghost@test.local", PW))), &[])
            .await
            .code(),
        10001
    );
    // A disabled account is 10002, distinct from a wrong password.
    let inner = format!(
        "<firstName>D</firstName><lastName>U</lastName><email>off@test.local</email><defaultRole>IpsUser</defaultRole>\
         <password>{PW}</password><isValid>false</isValid><companyHandleArray><items>{co}</items></companyHandleArray>"
    );
    app.ok(ADMIN, "addUser", &inner).await;
    assert_eq!(
        app.post_raw(body(Some(("off@test.local", PW))), &[])
            .await
            .code(),
        10002
    );
    // HTTP Basic, when the envelope carries no header.
    let basic = format!("Basic {}", base64_encode(&format!("{ADMIN}:{PW}")));
    let r = app.post_raw(body(None), &[("authorization", &basic)]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let wrong = format!("Basic {}", base64_encode(&format!("{ADMIN}:bad")));
    assert_eq!(
        app.post_raw(body(None), &[("authorization", &wrong)])
            .await
            .code(),
        10001
    );
    // authHeader wins over Basic.
    let r = app
        .post_raw(body(Some((ADMIN, "nope"))), &[("authorization", &basic)])
        .await;
    assert_eq!(r.code(), 10001);
    // Legacy AuthUser/AuthPassword headers, and authHeader in a dated namespace.
    let legacy = format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Header>\
         <AuthUser xmlns=\"http://www.scene7.com/IpsApi\">{ADMIN}</AuthUser><AuthPassword xmlns=\"http://www.scene7.com/IpsApi\">{PW}</AuthPassword>\
         </soapenv:Header><soapenv:Body><checkLoginParam xmlns=\"{NS}\">{CHECK}</checkLoginParam></soapenv:Body></soapenv:Envelope>"
    );
    assert_eq!(app.post_raw(legacy, &[]).await.status, 200);
    let dated = body(Some((ADMIN, PW))).replace(
        &format!("<authHeader xmlns=\"{BASE}\">"),
        &format!("<authHeader xmlns=\"{NS}\">"),
    );
    assert_eq!(app.post_raw(dated, &[]).await.status, 200);
    // checkLogin reports bad body credentials without faulting.
    let r = app
        .ok(
            ADMIN,
            "checkLogin",
            "<email>admin@test.local</email><password>x</password>",
        )
        .await;
    assert_eq!(r.get("status"), "InvalidLogin");
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_shapes_and_status_override() {
    let app = TestApp::new().await;
    // SOAP 1.1 shape of the spec example: faultcode soapenv:Client, AuthorizationException.
    let (co, _) = app.company("Shape Co").await;
    app.user("plain@test.local", "IpsUser", &co).await;
    let r = app
        .call_ns(
            NS2008,
            "plain@test.local",
            "addCompany",
            "<companyName>X</companyName>",
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.fault(), ("authorizationFault".into(), 20003));
    let f = r.payload();
    assert_eq!(field(&f, "faultcode"), "soapenv:Client");
    assert_eq!(field(&f, "faultstring"), "AuthorizationException");
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    // faultHttpStatusCode
    let body = envelope(NS, "checkLogin", CHECK, Some((ADMIN, "bad"))).replace(
        "</password></authHeader>",
        "</password><faultHttpStatusCode>200</faultHttpStatusCode></authHeader>",
    );
    let r = app.post_raw(body, &[]).await;
    assert_eq!((r.status.as_u16(), r.code()), (200, 10001));
    // SOAP 1.2 request: 1.2 fault with Code/Reason/Detail and the 1.2 content type.
    let soap12 = format!(
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><checkLoginParam xmlns=\"{NS}\">{CHECK}</checkLoginParam></e:Body></e:Envelope>"
    );
    let r = app
        .post_raw(
            soap12,
            &[("content-type", "application/soap+xml; charset=UTF-8")],
        )
        .await;
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/soap+xml"));
    assert_eq!(r.fault(), ("authenticationFault".into(), 10000));
    let f = r.payload();
    let code = f.children.iter().find(|c| c.name == "Code").unwrap();
    assert_eq!(field(code, "Value"), "soapenv:Sender");
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_follows_accept_encoding_and_header() {
    let app = TestApp::new().await;
    let plain = envelope(NS, "checkLogin", CHECK, Some((ADMIN, PW)));
    let r = app
        .post_raw(plain.clone(), &[("accept-encoding", "gzip, deflate")])
        .await;
    assert_eq!(r.headers["content-encoding"], "gzip");
    let mut out = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut out)
        .unwrap();
    assert!(out.contains("ValidLogin"));
    let r = app.post_raw(plain.clone(), &[]).await;
    assert!(r.headers.get("content-encoding").is_none());
    let forced_off = plain.replace(
        "</password></authHeader>",
        "</password><gzipResponse>false</gzipResponse></authHeader>",
    );
    let r = app
        .post_raw(forced_off, &[("accept-encoding", "gzip")])
        .await;
    assert!(r.headers.get("content-encoding").is_none());
    let forced_on = plain.replace(
        "</password></authHeader>",
        "</password><gzipResponse>true</gzipResponse></authHeader>",
    );
    assert_eq!(
        app.post_raw(forced_on, &[]).await.headers["content-encoding"],
        "gzip"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn soap_action_must_agree() {
    let app = TestApp::new().await;
    let body = envelope(NS, "checkLogin", CHECK, Some((ADMIN, PW)));
    for ok in ["checkLogin", "\"checkLogin\"", "urn:x#checkLogin", ""] {
        assert_eq!(
            app.post_raw(body.clone(), &[("soapaction", ok)])
                .await
                .status,
            200,
            "{ok}"
        );
    }
    assert_eq!(
        app.post_raw(body, &[("soapaction", "deleteAsset")])
            .await
            .code(),
        30003
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wsdl_endpoints() {
    let app = TestApp::new().await;
    for v in ipsd::soap::ns::WSDL_VERSIONS {
        let r = app
            .get(
                &format!("/scene7/webservice/IpsApi-{v}.wsdl"),
                &[("host", "api.example:9000")],
            )
            .await;
        assert_eq!(r.status, 200);
        let t = r.text();
        assert!(t.contains(&format!("targetNamespace=\"{BASE}/{v}\"")));
        assert!(t.contains("location=\"http://api.example:9000/scene7/services/IpsApiService\""));
        for op in ipsd::api::OPERATIONS {
            assert!(
                t.contains(&format!("<wsdl:operation name=\"{op}\">")),
                "{op}"
            );
        }
    }
    assert_eq!(
        app.get("/scene7/webservice/IpsApi.wsdl", &[]).await.status,
        200
    );
    let r = app
        .get(
            "/scene7/webservice/IpsApi.wsdl?serviceUrl=https://proxy:8443",
            &[],
        )
        .await;
    assert!(r
        .text()
        .contains("location=\"https://proxy:8443/scene7/services/IpsApiService\""));
    assert_eq!(
        app.get("/scene7/webservice/IpsApi-1999-01-01.wsdl", &[])
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_reports_backend() {
    let app = TestApp::new().await;
    let r = app.get("/healthz", &[]).await;
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["catalog"], "sqlite");
    assert_eq!(v["ready"], true);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}
