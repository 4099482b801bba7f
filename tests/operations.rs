//! Every other operation through the router: companies and users, folders, asset reads and
//! writes, the trash lifecycle of the spec's example chain, name collisions, and the role
//! matrix for every role × operation.

mod common;

use common::*;

const U: &str = "user@test.local";

async fn setup() -> (TestApp, String, String) {
    let app = TestApp::new().await;
    let (co, root) = app.company("Api Test Co").await;
    app.user(U, "IpsUser", &co).await;
    (app, co, root)
}

#[tokio::test(flavor = "multi_thread")]
async fn companies_and_users() {
    let app = TestApp::new().await;
    let r = app
        .call_ns(
            NS2008,
            ADMIN,
            "addCompany",
            "<companyName>Sample Company</companyName><expires>2008-07-31T12:00:00-06:00</expires>",
        )
        .await;
    let info = r.payload().children[0].clone();
    assert_eq!(field(&info, "name"), "Sample Company");
    assert_eq!(field(&info, "rootPath"), "SampleCompany/");
    assert_eq!(field(&info, "expires"), "2008-07-31T18:00:00.000Z");
    let co = field(&info, "companyHandle");
    assert!(co.starts_with("c|"));
    assert_eq!(
        app.fault(
            ADMIN,
            "addCompany",
            "<companyName>Sample Company</companyName>"
        )
        .await,
        30001
    );
    assert_eq!(app.fault(ADMIN, "addCompany", "").await, 30002);
    assert_eq!(
        app.fault(ADMIN, "addCompany", "<companyName>a/b</companyName>")
            .await,
        30001
    );
    // The root folder exists.
    let r = app
        .ok(
            ADMIN,
            "getFolders",
            &format!("<companyHandle>{co}</companyHandle>"),
        )
        .await;
    assert_eq!(
        field(&items(&r.payload(), "folderArray")[0], "path"),
        "SampleCompany/"
    );
    // getCompanyInfo by handle and by name; getAllCompanies with and without expired.
    let r = app
        .ok(
            ADMIN,
            "getCompanyInfo",
            "<companyName>Sample Company</companyName>",
        )
        .await;
    assert_eq!(field(&r.payload().children[0], "companyHandle"), co);
    assert_eq!(
        app.fault(ADMIN, "getCompanyInfo", "<companyName>Nope</companyName>")
            .await,
        20000
    );
    assert_eq!(app.fault(ADMIN, "getCompanyInfo", "").await, 30002);
    let (live, _) = app.company("Live Co").await;
    for (exp, want) in [(false, 1), (true, 2)] {
        let r = app
            .ok(
                ADMIN,
                "getAllCompanies",
                &format!("<includeExpired>{exp}</includeExpired>"),
            )
            .await;
        let got: Vec<String> = items(&r.payload(), "companyArray")
            .iter()
            .map(|c| field(c, "companyHandle"))
            .collect();
        assert_eq!(got.len(), want, "{exp}");
        assert!(got.contains(&live));
    }
    // addUser: handle shape, duplicate e-mail (any case), bad role, unknown company.
    let add = |email: &str, role: &str, company: &str| {
        format!(
            "<firstName>J</firstName><lastName>U</lastName><email>{email}</email><defaultRole>{role}</defaultRole>\
             <password>pw</password><isValid>true</isValid><companyHandleArray><items>{company}</items></companyHandleArray>"
        )
    };
    let r = app
        .ok(ADMIN, "addUser", &add("joe@test.local", "IpsUser", &live))
        .await;
    assert!(r.get("userHandle").starts_with("u|"));
    assert_eq!(
        app.fault(ADMIN, "addUser", &add("JOE@test.local", "IpsUser", &live))
            .await,
        30001
    );
    assert_eq!(
        app.fault(ADMIN, "addUser", &add("x@test.local", "Emperor", &live))
            .await,
        30001
    );
    assert_eq!(
        app.fault(ADMIN, "addUser", &add("y@test.local", "IpsUser", "c|999"))
            .await,
        30001
    );
    assert_eq!(
        app.fault(ADMIN, "addUser", &add("no-at-sign", "IpsUser", &live))
            .await,
        30001
    );
    // A company admin cannot grant IpsAdmin nor add users to other companies.
    app.user("ca@test.local", "IpsCompanyAdmin", &live).await;
    assert_eq!(
        app.fault(
            "ca@test.local",
            "addUser",
            &add("z@test.local", "IpsAdmin", &live)
        )
        .await,
        20005
    );
    assert_eq!(
        app.fault(
            "ca@test.local",
            "addUser",
            &add("z@test.local", "IpsUser", &co)
        )
        .await,
        20006
    );
    // Company settings drive upload overwrite mode.
    let s = format!("<companyHandle>{live}</companyHandle><overwriteMode>OverwriteAnyExtAnyFolder</overwriteMode>");
    app.ok("ca@test.local", "setCompanySettings", &s).await;
    let r = app
        .ok(
            "ca@test.local",
            "getCompanySettings",
            &format!("<companyHandle>{live}</companyHandle>"),
        )
        .await;
    assert_eq!(
        field(&r.payload().children[0], "overwriteMode"),
        "OverwriteAnyExtAnyFolder"
    );
    let bad =
        format!("<companyHandle>{live}</companyHandle><overwriteMode>Sometimes</overwriteMode>");
    assert_eq!(
        app.fault("ca@test.local", "setCompanySettings", &bad).await,
        30001
    );
    // Membership: a user of one company cannot read another.
    assert_eq!(
        app.fault(
            "ca@test.local",
            "getCompanyInfo",
            &format!("<companyHandle>{co}</companyHandle>")
        )
        .await,
        20006
    );
    // getProperty
    let r = app
        .ok(
            "ca@test.local",
            "getProperty",
            "<name>UploadPostMaxFileSize</name>",
        )
        .await;
    assert_eq!(r.get("value"), (1u64 << 30).to_string());
    assert_eq!(
        app.fault("ca@test.local", "getProperty", "<name>Nope</name>")
            .await,
        30001
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn folders() {
    let (app, co, root) = setup().await;
    let c = |inner: &str| format!("<companyHandle>{co}</companyHandle>{inner}");
    let r = app
        .call_ns(
            BASE,
            U,
            "createFolder",
            &c("<folderPath>/SpinSets</folderPath>"),
        )
        .await;
    assert_eq!(r.get("folderHandle"), format!("{root}/SpinSets/"));
    let r = app
        .ok(
            U,
            "createFolder",
            &c("<folderPath>SpinSets/sub</folderPath>"),
        )
        .await;
    assert_eq!(r.get("folderHandle"), format!("f|{root}/SpinSets/sub/"));
    assert_eq!(
        app.fault(U, "createFolder", &c("<folderPath>/SpinSets</folderPath>"))
            .await,
        30001
    );
    assert_eq!(
        app.fault(
            U,
            "createFolder",
            &c("<folderPath>/missing/child</folderPath>")
        )
        .await,
        30001
    );
    // Folder names share the asset namespace, across branches.
    app.ok(U, "createFolder", &c("<folderPath>/other</folderPath>"))
        .await;
    assert_eq!(
        app.fault(U, "createFolder", &c("<folderPath>/other/sub</folderPath>"))
            .await,
        30001
    );
    app.upload_image(U, &co, "pic").await;
    assert_eq!(
        app.fault(U, "createFolder", &c("<folderPath>/pic</folderPath>"))
            .await,
        30001
    );
    // getFolders is flat and pre-ordered; getFolderTree nests with depth.
    let r = app.ok(U, "getFolders", &c("")).await;
    let paths: Vec<String> = items(&r.payload(), "folderArray")
        .iter()
        .map(|f| field(f, "path"))
        .collect();
    assert_eq!(
        paths,
        vec![
            format!("{root}/"),
            format!("{root}/SpinSets/"),
            format!("{root}/SpinSets/sub/"),
            format!("{root}/other/")
        ]
    );
    let r = app.ok(U, "getFolderTree", &c("<depth>-1</depth>")).await;
    let top = items(&r.payload(), "folders");
    assert_eq!(top.len(), 1);
    let kids = items(&top[0], "subfolderArray");
    assert_eq!(kids.len(), 2);
    assert_eq!(items(&kids[0], "subfolderArray").len(), 1);
    let r = app.ok(U, "getFolderTree", &c("<depth>0</depth>")).await;
    assert!(items(&items(&r.payload(), "folders")[0], "subfolderArray").is_empty());
    // rename and move change handles of the subtree.
    let r = app
        .ok(
            U,
            "renameFolder",
            &c(&format!(
                "<folderHandle>f|{root}/SpinSets/</folderHandle><folderName>Spins</folderName>"
            )),
        )
        .await;
    assert_eq!(r.get("folderHandle"), format!("f|{root}/Spins/"));
    app.ok(
        U,
        "getFolders",
        &c(&format!("<folderPath>{root}/Spins/sub/</folderPath>")),
    )
    .await;
    assert_eq!(
        app.fault(
            U,
            "renameFolder",
            &c(&format!(
                "<folderHandle>{root}/Spins/</folderHandle><folderName>other</folderName>"
            ))
        )
        .await,
        30001
    );
    let r = app.ok(U, "moveFolder", &c(&format!("<folderHandle>{root}/Spins/</folderHandle><destFolderHandle>{root}/other/</destFolderHandle>"))).await;
    assert_eq!(r.get("folderHandle"), format!("f|{root}/other/Spins/"));
    assert_eq!(app.fault(U, "moveFolder", &c(&format!("<folderHandle>{root}/other/</folderHandle><destFolderHandle>{root}/other/Spins/</destFolderHandle>"))).await, 30001);
    // deleteFolder trashes the assets inside; the root cannot be deleted.
    let h = app.handle_of(U, &co, "pic").await;
    app.ok(
        U,
        "moveAsset",
        &c(&format!(
            "<assetHandle>{h}</assetHandle><folderHandle>{root}/other/Spins/sub/</folderHandle>"
        )),
    )
    .await;
    app.ok(
        U,
        "deleteFolder",
        &c(&format!("<folderHandle>{root}/other/</folderHandle>")),
    )
    .await;
    let r = app
        .ok(
            U,
            "getAssets",
            &c(&format!(
                "<assetHandleArray><items>{h}</items></assetHandleArray>"
            )),
        )
        .await;
    assert_eq!(
        field(&items(&r.payload(), "assetArray")[0], "trashState"),
        "InTrash"
    );
    assert_eq!(
        app.fault(
            U,
            "deleteFolder",
            &c(&format!("<folderHandle>{root}/</folderHandle>"))
        )
        .await,
        30001
    );
    assert_eq!(
        app.fault(
            U,
            "deleteFolder",
            &c(&format!("<folderHandle>{root}/gone/</folderHandle>"))
        )
        .await,
        30001
    );
    // Restoring after the folder is gone lands in the root with a warning.
    let r = app
        .ok(
            U,
            "restoreAssetsFromTrash",
            &c(&format!(
                "<assetHandleArray><items>{h}</items></assetHandleArray>"
            )),
        )
        .await;
    assert_eq!(
        (r.get("successCount"), r.get("warningCount")),
        ("1".into(), "1".into())
    );
    let r = app
        .ok(
            U,
            "getAssets",
            &c(&format!(
                "<assetHandleArray><items>{h}</items></assetHandleArray>"
            )),
        )
        .await;
    assert_eq!(
        field(&items(&r.payload(), "assetArray")[0], "folder"),
        format!("{root}/")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn asset_writes_and_trash_chain() {
    let (app, co, root) = setup().await;
    let c = |inner: &str| format!("<companyHandle>{co}</companyHandle>{inner}");
    app.ok(U, "createFolder", &c("<folderPath>/uploads</folderPath>"))
        .await;
    let a = app.upload_image(U, &co, "img942").await;
    let b = app.upload_image(U, &co, "img943").await;
    // setUrlModifier stores verbatim; absent clears.
    app.ok(U, "setUrlModifier", &c(&format!("<assetHandle>{a}</assetHandle><urlModifier>modify=that</urlModifier><urlPostApplyModifier>action=awesomeToo</urlPostApplyModifier>"))).await;
    let r = app
        .ok(
            U,
            "getAssets",
            &c(&format!(
                "<assetHandleArray><items>{a}</items></assetHandleArray>"
            )),
        )
        .await;
    let info = items(&r.payload(), "assetArray")[0]
        .children
        .iter()
        .find(|x| x.name == "imageInfo")
        .unwrap()
        .clone();
    assert_eq!(field(&info, "urlModifier"), "modify=that");
    assert_eq!(field(&info, "urlPostApplyModifier"), "action=awesomeToo");
    // renameAsset: collisions, invalid names; handle unchanged, fileName follows.
    assert_eq!(app.fault(U, "renameAsset", &c(&format!("<assetHandle>{a}</assetHandle><newName>img943</newName><validateName>true</validateName>"))).await, 30001);
    assert_eq!(app.fault(U, "renameAsset", &c(&format!("<assetHandle>{a}</assetHandle><newName>x/y</newName><validateName>true</validateName>"))).await, 30001);
    app.ok(U, "renameAsset", &c(&format!("<assetHandle>{a}</assetHandle><newName>renamed</newName><validateName>true</validateName><renameFiles>true</renameFiles>"))).await;
    let r = app
        .ok(
            U,
            "getAssets",
            &c(&format!(
                "<assetHandleArray><items>{a}</items></assetHandleArray>"
            )),
        )
        .await;
    let asset = &items(&r.payload(), "assetArray")[0];
    assert_eq!(
        (field(asset, "name"), field(asset, "fileName")),
        ("renamed".into(), "renamed.jpg".into())
    );
    // The spec's example chain: moveAssets, deleteAssets, restoreAssetsFromTrash, emptyAssetsFromTrash.
    let mv = c(&format!(
        "<assetMoveArray><items><assetHandle>{a}</assetHandle><folderHandle>{root}/uploads/</folderHandle></items>\
         <items><assetHandle>{b}</assetHandle><folderHandle>{root}/uploads/</folderHandle></items></assetMoveArray>"
    ));
    let r = app.ok(U, "moveAssets", &mv).await;
    assert_eq!(
        (r.get("successCount"), r.get("errorCount")),
        ("2".into(), "0".into())
    );
    let arr = c(&format!(
        "<assetHandleArray><items>{a}</items><items>{b}</items></assetHandleArray>"
    ));
    for op in ["deleteAssets", "restoreAssetsFromTrash", "deleteAssets"] {
        let r = app.ok(U, op, &arr).await;
        assert_eq!(r.get("successCount"), "2", "{op}");
    }
    let r = app
        .call_ns(
            "http://www.scene7.com/IpsApi/xsd/2023-01-15",
            U,
            "emptyAssetsFromTrash",
            &arr,
        )
        .await;
    assert_eq!(
        (
            r.get("successCount"),
            r.get("warningCount"),
            r.get("errorCount")
        ),
        ("2".into(), "0".into(), "0".into())
    );
    // Emptied assets can no longer be restored: per-asset errors, not a fault.
    let r = app.ok(U, "restoreAssetsFromTrash", &arr).await;
    assert_eq!(r.get("errorCount"), "2");
    let errs = items(&r.payload(), "errorDetailArray");
    assert_eq!(field(&errs[0], "code"), "30001");
    // Names stay reserved until the purge; afterwards they are free and the blobs are gone.
    let names = c("<assetNameArray><items>renamed</items><items>img943</items><items>free</items></assetNameArray>");
    let r = app.ok(U, "checkAssetNames", &names).await;
    assert_eq!(items(&r.payload(), "inUseNameArray").len(), 2);
    assert_eq!(
        app.blob_files(),
        1,
        "both uploads were the same bytes: one blob"
    );
    app.st.cleanup_trash().await.unwrap();
    let r = app.ok(U, "checkAssetNames", &names).await;
    assert!(items(&r.payload(), "inUseNameArray").is_empty());
    assert_eq!(app.blob_files(), 0);
    // Batch with a mix: unknown handle is an error, already-trashed a warning.
    let x = app.upload_image(U, &co, "mix").await;
    app.ok(
        U,
        "deleteAsset",
        &c(&format!("<assetHandle>{x}</assetHandle>")),
    )
    .await;
    let r = app
        .ok(
            U,
            "deleteAssets",
            &c(&format!(
                "<assetHandleArray><items>{x}</items><items>a|9999</items></assetHandleArray>"
            )),
        )
        .await;
    assert_eq!(
        (r.get("warningCount"), r.get("errorCount")),
        ("1".into(), "1".into())
    );
    assert_eq!(
        app.fault(U, "deleteAsset", &c("<assetHandle>a|9999</assetHandle>"))
            .await,
        30001
    );
    assert_eq!(app.fault(U, "deleteAssets", &c("")).await, 30002);
    assert_eq!(
        app.fault(
            U,
            "moveAsset",
            &c(&format!(
                "<assetHandle>{x}</assetHandle><folderHandle>{root}/uploads/</folderHandle>"
            ))
        )
        .await,
        30001
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_and_counts() {
    let (app, co, root) = setup().await;
    let c = |inner: &str| format!("<companyHandle>{co}</companyHandle>{inner}");
    app.ok(U, "createFolder", &c("<folderPath>/sub</folderPath>"))
        .await;
    for n in ["alpha", "beta", "gamma"] {
        app.upload_image(U, &co, n).await;
    }
    let d = app.handle_of(U, &co, "gamma").await;
    app.ok(
        U,
        "moveAsset",
        &c(&format!(
            "<assetHandle>{d}</assetHandle><folderHandle>{root}/sub/</folderHandle>"
        )),
    )
    .await;
    let names = |r: &Reply| {
        items(&r.payload(), "assetArray")
            .iter()
            .map(|a| field(a, "name"))
            .collect::<Vec<_>>()
    };
    let r = app.ok(U, "searchAssets", &c("")).await;
    assert_eq!(
        (r.get("totalRows"), names(&r)),
        ("2".into(), vec!["alpha".to_string(), "beta".into()])
    );
    let r = app.ok(U, "searchAssets", &c("<includeSubfolders>true</includeSubfolders><sortBy>Name</sortBy><sortDirection>Descending</sortDirection>")).await;
    assert_eq!(names(&r), vec!["gamma", "beta", "alpha"]);
    let r = app.ok(U, "searchAssets", &c("<includeSubfolders>true</includeSubfolders><recordsPerPage>2</recordsPerPage><resultsPage>2</resultsPage>")).await;
    assert_eq!(
        (r.get("totalRows"), names(&r)),
        ("3".into(), vec!["gamma".to_string()])
    );
    let r = app
        .ok(
            U,
            "searchAssets",
            &c(&format!("<folder>f|{root}/sub/</folder>")),
        )
        .await;
    assert_eq!(names(&r), vec!["gamma"]);
    let r = app.ok(U, "searchAssets", &c("<includeSubfolders>true</includeSubfolders><keywordArray><items>ET</items></keywordArray>")).await;
    assert_eq!(names(&r), vec!["beta"]);
    let cond = "<systemFieldConditionArray><items><field>Name</field><op>Equals</op><value>alpha</value></items></systemFieldConditionArray>";
    let r = app
        .ok(
            U,
            "searchAssets",
            &c(&format!(
                "<includeSubfolders>true</includeSubfolders>{cond}"
            )),
        )
        .await;
    assert_eq!(names(&r), vec!["alpha"]);
    let r = app.ok(U, "searchAssets", &c("<includeSubfolders>true</includeSubfolders><assetTypeArray><items>Video</items></assetTypeArray>")).await;
    assert_eq!(r.get("totalRows"), "0");
    let a = app.handle_of(U, &co, "alpha").await;
    app.ok(
        U,
        "deleteAsset",
        &c(&format!("<assetHandle>{a}</assetHandle>")),
    )
    .await;
    let r = app
        .ok(
            U,
            "searchAssets",
            &c("<includeSubfolders>true</includeSubfolders><trashState>InTrash</trashState>"),
        )
        .await;
    assert_eq!(names(&r), vec!["alpha"]);
    for bad in ["<sortBy>Color</sortBy>", "<trashState>Maybe</trashState>", "<recordsPerPage>0</recordsPerPage>", "<folder>nowhere</folder>",
        "<systemFieldConditionArray><items><field>Sku</field><op>Equals</op><value>1</value></items></systemFieldConditionArray>"] {
        assert_eq!(app.fault(U, "searchAssets", &c(bad)).await, 30001, "{bad}");
    }
    assert_eq!(
        app.fault(
            U,
            "searchAssets",
            &c("<includeSubfolders>yes</includeSubfolders>")
        )
        .await,
        30003
    );
    let r = app.ok(U, "getAssetCounts", &c("")).await;
    let counts = items(&r.payload(), "countArray");
    assert_eq!(
        (field(&counts[0], "assetType"), field(&counts[0], "count")),
        ("Image".into(), "2".into())
    );
    let r = app.ok(U, "getAssetsByName", &c("<nameArray><items>beta</items><items>nope</items></nameArray><assetTypeArray><items>Image</items></assetTypeArray>")).await;
    assert_eq!(names(&r), vec!["beta"]);
}

/// Every role against every operation: allowed roles never get 20003, others always do.
#[tokio::test(flavor = "multi_thread")]
async fn role_matrix() {
    let (app, co, _) = setup().await;
    for role in ipsd::catalog::ROLES {
        let email = format!("{}@roles.test", role.to_lowercase());
        app.user(&email, role, &co).await;
        for op in ipsd::api::OPERATIONS {
            let r = app.call_ns(NS, &email, op, "").await;
            let denied = r.status != 200 && r.fault() == ("authorizationFault".to_string(), 20003);
            let allowed = ipsd::auth::roles::allowed(role, op);
            assert_eq!(denied, !allowed, "{role} {op}: {}", r.text());
        }
    }
    assert!(!ipsd::auth::roles::allowed("IpsUser", "getAllCompanies"));
    assert!(ipsd::auth::roles::allowed(
        "IpsCompanyAdmin",
        "checkAssetNames"
    ));
}
