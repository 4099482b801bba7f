"""Interoperability: drive ipsd with zeep, a WSDL-driven third-party SOAP client.

Every SOAP call below goes through proxies zeep generated from the WSDL the running server
publishes (``client.service.<operation>(...)``); nothing builds envelopes by hand. The upload
servlet is multipart HTTP (not SOAP) and is driven with ``requests``.

Scenario (module-scoped fixtures, so each test can also run alone):
  admin: checkLogin, addCompany, addUser (IpsUser member of the new company);
  user:  createFolder, UploadFile, getActiveJobs/getJobLogDetails, getAssets, searchAssets,
         copyImage, getAssets on the copy, download both through /is/content.
Faults: bad password (10001), copyImage name in use (30001), IpsUser addCompany (20003).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import quote

import pytest
import requests
import zeep
from lxml import etree
from requests.auth import HTTPBasicAuth
from zeep.transports import Transport

from conftest import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    AUTH_HEADER,
    BASE_NS,
    NS_2014,
    WSDL_VERSIONS,
    auth_part,
    fault_detail,
    last_exchange,
    make_client,
    make_jpeg,
    make_png,
    parse_xml,
    post_upload,
    upload_params_part,
    wait_for,
)

# Operations this suite calls; every published WSDL must offer them.
USED_OPERATIONS = {
    "checkLogin",
    "addCompany",
    "addUser",
    "getCompanyInfo",
    "createFolder",
    "getActiveJobs",
    "getJobLogDetails",
    "getAssets",
    "searchAssets",
    "copyImage",
}

RUN = uuid.uuid4().hex[:8]
COMPANY_NAME = f"Zeep Interop {RUN}"
ROOT_NAME = f"ZeepInterop{RUN}"  # rootPath is the name without whitespace (ips-operations.md §2.4)
USER_EMAIL = f"zeep-user-{RUN}@example.com"
USER_PASSWORD = "zeep-Passw0rd!"
FOLDER = "uploads"
IMAGE_NAME = "interop_photo"
COPY_NAME = "interop_photo_copy"


def _items(array) -> list:
    """Items of an IPS ``…Array`` wrapper as zeep returns it (object with .items, list, or None)."""
    if array is None:
        return []
    if isinstance(array, list):
        return array
    items = array["items"]
    return list(items or [])


def _expect_fault(call, *args, **kwargs) -> zeep.exceptions.Fault:
    with pytest.raises(zeep.exceptions.Fault) as info:
        call(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------------------------------------
# WSDLs


@pytest.mark.parametrize("wsdl_file", sorted(WSDL_VERSIONS))
def test_every_published_wsdl_loads_in_zeep(ipsd, wsdl_file):
    client = zeep.Client(ipsd.wsdl_url(wsdl_file))
    services = list(client.wsdl.services.values())
    assert len(services) == 1, services
    ports = list(services[0].ports.values())
    assert len(ports) == 1, ports
    port = ports[0]
    # The address is derived from the Host header we used.
    assert port.binding_options["address"] == ipsd.soap_url
    operations = set(port.binding._operations)
    assert USED_OPERATIONS <= operations, f"missing: {sorted(USED_OPERATIONS - operations)}"
    # Body elements live in the version's namespace; authHeader in the base namespace.
    assert client.get_element(f"{{{WSDL_VERSIONS[wsdl_file]}}}checkLoginParam") is not None
    assert client.get_element(AUTH_HEADER) is not None
    # zeep knows the header is part of every operation's input.
    assert "_soapheaders" in port.binding._operations["checkLogin"].input.signature()


def test_wsdl_service_url_override(ipsd):
    client = zeep.Client(ipsd.wsdl_url() + "?serviceUrl=http://proxy.example:9999")
    port = list(list(client.wsdl.services.values())[0].ports.values())[0]
    assert port.binding_options["address"] == "http://proxy.example:9999/scene7/services/IpsApiService"


def test_unknown_wsdl_version_is_404(ipsd):
    r = requests.get(ipsd.wsdl_url("IpsApi-1999-01-01.wsdl"), timeout=10)
    assert r.status_code == 404


# ---------------------------------------------------------------------------------------------
# scenario fixtures


@pytest.fixture(scope="module")
def admin(ipsd) -> zeep.Client:
    return make_client(ipsd, ADMIN_USER, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def company(admin):
    info = admin.service.addCompany(companyName=COMPANY_NAME)
    return info


@pytest.fixture(scope="module")
def company_handle(company) -> str:
    return company.companyHandle


@pytest.fixture(scope="module")
def user_handle(admin, company_handle) -> str:
    handle_array = admin.get_type(f"{{{NS_2014}}}HandleArray")
    return admin.service.addUser(
        firstName="Zeep",
        lastName="Interop",
        email=USER_EMAIL,
        defaultRole="IpsUser",
        password=USER_PASSWORD,
        isValid=True,
        companyHandleArray=handle_array(items=[company_handle]),
    )


@pytest.fixture(scope="module")
def user(ipsd, user_handle) -> zeep.Client:
    return make_client(ipsd, USER_EMAIL, USER_PASSWORD)


@pytest.fixture(scope="module")
def folder_handle(user, company_handle) -> str:
    return user.service.createFolder(companyHandle=company_handle, folderPath=f"/{FOLDER}")


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return make_jpeg(40, 30, seed=1)


@pytest.fixture(scope="module")
def upload(ipsd, user, company_handle, folder_handle, jpeg) -> dict:
    """One single-POST upload job (endJob=true) of one JPEG into the uploads folder."""
    job_name = f"zeep-upload-{RUN}"
    r = post_upload(
        ipsd,
        auth_part(USER_EMAIL, USER_PASSWORD),
        upload_params_part(company_handle, job_name=job_name, end_job=True),
        {"file1": (f"{ROOT_NAME}/{FOLDER}//{IMAGE_NAME}.jpg", jpeg)},
    )
    assert r.status_code == 200, r.text
    doc = parse_xml(r.content)
    assert etree.QName(doc).localname == "uploadPostReturn", r.text
    job_handle = doc.findtext(f"{{{NS_2014}}}jobHandle")
    assert job_handle, r.text
    return {"response": r, "job_name": job_name, "job_handle": job_handle}


@pytest.fixture(scope="module")
def job_log(user, company_handle, upload):
    """The finished job's log, polled until the EndUpload entry shows up."""

    def finished():
        logs = _items(user.service.getJobLogDetails(companyHandle=company_handle, jobHandle=upload["job_handle"]))
        for log in logs:
            if any(d.logType == "EndUpload" for d in _items(log.detailArray)):
                return log
        return None

    return wait_for(finished, timeout=30, what="EndUpload in getJobLogDetails")


@pytest.fixture(scope="module")
def asset_handle(job_log) -> str:
    success = [d for d in _items(job_log.detailArray) if d.logType == "UploadSuccess"]
    assert len(success) == 1, job_log
    assert success[0].assetName == IMAGE_NAME
    assert success[0].assetHandle
    return success[0].assetHandle


@pytest.fixture(scope="module")
def copy_handle(user, company_handle, folder_handle, asset_handle) -> str:
    return user.service.copyImage(
        companyHandle=company_handle,
        assetHandle=asset_handle,
        folderHandle=folder_handle,
        name=COPY_NAME,
        urlModifier="",
    )


# ---------------------------------------------------------------------------------------------
# admin: login, company, user


def test_check_login_valid_and_invalid(admin):
    assert admin.service.checkLogin(email=ADMIN_USER, password=ADMIN_PASSWORD) == "ValidLogin"
    # Bad credentials in the body are an answer, not a fault.
    assert admin.service.checkLogin(email=ADMIN_USER, password="not-the-password") == "InvalidLogin"
    assert admin.service.checkLogin(email="nobody@example.com", password="x") == "InvalidLogin"


def test_wrong_password_is_authentication_fault_10001(ipsd):
    client = make_client(ipsd)  # no default headers: pass the header per call
    header = client.get_element(AUTH_HEADER)
    fault = _expect_fault(
        client.service.checkLogin,
        email=ADMIN_USER,
        password=ADMIN_PASSWORD,
        _soapheaders=[header(user=ADMIN_USER, password="wrong-password")],
    )
    kind, code, reason = fault_detail(fault)
    assert (kind, code) == ("authenticationFault", 10001), last_exchange(client)
    assert fault.code.endswith("Client"), fault.code
    assert fault.message == "AuthenticationException"
    assert reason


def test_no_credentials_is_authentication_fault_10000(ipsd):
    client = make_client(ipsd)
    fault = _expect_fault(client.service.checkLogin, email=ADMIN_USER, password=ADMIN_PASSWORD)
    assert fault_detail(fault)[:2] == ("authenticationFault", 10000), last_exchange(client)


def test_http_basic_auth_through_zeep_transport(ipsd):
    session = requests.Session()
    session.auth = HTTPBasicAuth(ADMIN_USER, ADMIN_PASSWORD)
    client = zeep.Client(ipsd.wsdl_url(), transport=Transport(session=session))
    assert client.service.checkLogin(email=ADMIN_USER, password=ADMIN_PASSWORD) == "ValidLogin"


def test_gzip_response_requested_in_auth_header(ipsd):
    client = make_client(ipsd)
    header = client.get_element(AUTH_HEADER)(user=ADMIN_USER, password=ADMIN_PASSWORD, gzipResponse=True)
    assert client.service.checkLogin(email=ADMIN_USER, password=ADMIN_PASSWORD, _soapheaders=[header]) == "ValidLogin"
    headers = {k.lower(): v for k, v in client.history.last_received["http_headers"].items()}
    assert headers.get("content-encoding") == "gzip", headers


def test_add_company(company, company_handle):
    assert company.name == COMPANY_NAME
    assert company.rootPath == f"{ROOT_NAME}/"
    assert re.fullmatch(r"c\|\d+", company_handle), company_handle
    assert company.expires is not None and company.expires.tzinfo is not None


def test_add_company_duplicate_name_is_30001(admin, company):
    fault = _expect_fault(admin.service.addCompany, companyName=COMPANY_NAME)
    assert fault_detail(fault)[:2] == ("ipsApiFault", 30001), last_exchange(admin)


def test_add_company_with_expires_keeps_the_instant(admin):
    # xsd:dateTime with a numeric offset, as in the reference's addCompany example.
    expires = dt.datetime(2030, 7, 31, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    info = admin.service.addCompany(companyName=f"Zeep Expiring {RUN}", expires=expires)
    assert info.expires is not None and info.expires.tzinfo is not None, last_exchange(admin)
    assert info.expires == expires, last_exchange(admin)


def test_add_user_and_login_as_user(admin, user, user_handle, company_handle):
    assert isinstance(user_handle, str) and user_handle.strip(), user_handle
    assert admin.service.checkLogin(email=USER_EMAIL, password=USER_PASSWORD) == "ValidLogin"
    assert (
        admin.service.checkLogin(companyHandle=company_handle, email=USER_EMAIL, password=USER_PASSWORD)
        == "ValidLogin"
    )
    # The user itself authenticates through authHeader.
    assert user.service.checkLogin(email=USER_EMAIL, password=USER_PASSWORD) == "ValidLogin"
    info = user.service.getCompanyInfo(companyName=COMPANY_NAME)
    assert info.companyHandle == company_handle


def test_ips_user_add_company_is_authorization_fault_20003(user):
    fault = _expect_fault(user.service.addCompany, companyName=f"Forbidden {RUN}")
    kind, code, reason = fault_detail(fault)
    assert (kind, code) == ("authorizationFault", 20003), last_exchange(user)
    assert fault.message == "AuthorizationException"
    assert "addCompany" in reason


# ---------------------------------------------------------------------------------------------
# user: folder, upload, jobs, assets


def test_create_folder(folder_handle):
    assert folder_handle == f"f|{ROOT_NAME}/{FOLDER}/"


def test_upload_servlet_reply(upload, company_handle):
    r = upload["response"]
    assert r.headers["content-type"].lower().startswith("text/xml")
    assert upload["job_handle"].startswith("j|"), upload["job_handle"]


def test_upload_servlet_wrong_password_is_bare_fault(ipsd, company_handle):
    r = post_upload(
        ipsd,
        auth_part(USER_EMAIL, "wrong", extra="<faultHttpStatusCode>200</faultHttpStatusCode>"),
        upload_params_part(company_handle, job_name=f"bad-{RUN}"),
        {"file1": ("bad.jpg", make_jpeg(8, 8))},
    )
    assert r.status_code == 200, r.text  # faultHttpStatusCode honoured
    doc = parse_xml(r.content)
    assert etree.QName(doc).text == f"{{{BASE_NS}}}authenticationFault", r.text
    assert doc.findtext(f"{{{BASE_NS}}}code") == "10001", r.text


def test_finished_upload_job_is_not_active(user, company_handle, upload, job_log):
    active = _items(user.service.getActiveJobs(companyHandle=company_handle))
    assert upload["job_handle"] not in [j.jobHandle for j in active]
    assert _items(user.service.getActiveJobs(jobHandle=upload["job_handle"])) == []


def test_job_log_details(job_log, upload, company_handle, asset_handle):
    assert job_log.jobHandle == upload["job_handle"]
    assert job_log.companyHandle == company_handle
    assert job_log.submitUserEmail == USER_EMAIL
    assert job_log.fileSuccessCount == 1
    assert job_log.fileErrorCount == 0
    assert job_log.fatalError is False
    types = [d.logType for d in _items(job_log.detailArray)]
    assert types[0] == "BeginUpload" and types[-1] == "EndUpload", types
    assert "UploadSuccess" in types
    assert re.fullmatch(r"a\|\d+", asset_handle), asset_handle


def test_upload_with_non_ascii_file_name(ipsd, user, company, company_handle):
    data = make_jpeg(10, 10, seed=3)
    name = "Ünïcødé phöto"
    r = post_upload(
        ipsd,
        auth_part(USER_EMAIL, USER_PASSWORD),
        upload_params_part(company_handle, job_name=f"zeep-unicode-{RUN}", end_job=True),
        {"file1": (f"{name}.jpg", data)},
    )
    assert r.status_code == 200, r.text

    def found():
        result = user.service.searchAssets(companyHandle=company_handle)
        return [a for a in _items(result.assetArray) if a.name == name]

    [asset] = wait_for(found, timeout=30, what=f"asset {name!r} in searchAssets")
    assert asset.fileName == f"{name}.jpg"
    got = requests.get(f"{ipsd.base_url}/is/content/{ROOT_NAME}/{quote(name)}", timeout=30)
    assert got.status_code == 200, got.text
    assert got.content == data


def test_multi_post_upload_job_is_active_until_end_job(ipsd, user, company_handle):
    job_name = f"zeep-twopost-{RUN}"
    auth = auth_part(USER_EMAIL, USER_PASSWORD)
    r = post_upload(
        ipsd,
        auth,
        upload_params_part(company_handle, job_name=job_name, end_job=False),
        {"file1": ("twopost_a.png", make_png())},
    )
    assert r.status_code == 200, r.text
    job_handle = parse_xml(r.content).findtext(f"{{{NS_2014}}}jobHandle")
    assert job_handle, r.text

    jobs = _items(user.service.getActiveJobs(jobHandle=job_handle))
    assert [j.jobHandle for j in jobs] == [job_handle], last_exchange(user)
    job = jobs[0]
    assert job.companyHandle == company_handle
    assert job.originalName == job_name
    assert job.submitUserEmail == USER_EMAIL
    assert job.uploadPostJob is not None
    assert job.uploadPostJob.overwrite is True
    assert job_handle in [j.jobHandle for j in _items(user.service.getActiveJobs(companyHandle=company_handle))]

    r = post_upload(
        ipsd,
        auth,
        upload_params_part(company_handle, job_handle=job_handle, end_job=True, with_options=False),
        {"file1": ("twopost_b.jpg", make_jpeg(12, 10, seed=2))},
    )
    assert r.status_code == 200, r.text
    assert parse_xml(r.content).findtext(f"{{{NS_2014}}}jobHandle") == job_handle

    wait_for(
        lambda: not _items(user.service.getActiveJobs(jobHandle=job_handle)),
        timeout=30,
        what="the job to leave getActiveJobs",
    )
    logs = _items(user.service.getJobLogDetails(companyHandle=company_handle, jobHandle=job_handle))
    assert len(logs) == 1, logs
    details = _items(logs[0].detailArray)
    assert sorted(d.assetName for d in details if d.logType == "UploadSuccess") == ["twopost_a", "twopost_b"]
    assert details[-1].logType == "EndUpload"
    assert logs[0].fileSuccessCount == 2


def test_get_assets(user, company_handle, asset_handle, jpeg):
    assets = _items(user.service.getAssets(companyHandle=company_handle, assetHandleArray={"items": [asset_handle]}))
    assert len(assets) == 1, last_exchange(user)
    a = assets[0]
    assert a.assetHandle == asset_handle
    assert a.type == "Image"
    assert a.name == IMAGE_NAME
    assert a.folder == f"{ROOT_NAME}/{FOLDER}/"
    assert a.fileName == f"{IMAGE_NAME}.jpg"
    assert a.createUser == USER_EMAIL
    assert a.trashState == "NotInTrash"
    assert a.readyForPublish is True
    assert a.imageInfo is not None
    assert (a.imageInfo.width, a.imageInfo.height) == (40, 30)
    assert a.imageInfo.fileSize == len(jpeg)


def test_search_assets_finds_upload(user, company_handle, folder_handle, asset_handle):
    string_array = user.get_type(f"{{{NS_2014}}}StringArray")
    result = user.service.searchAssets(
        companyHandle=company_handle,
        folder=folder_handle,
        includeSubfolders=True,
        assetTypeArray=string_array(items=["Image"]),
    )
    found = {a.name: a.assetHandle for a in _items(result.assetArray)}
    assert found.get(IMAGE_NAME) == asset_handle, last_exchange(user)
    assert result.totalRows == len(_items(result.assetArray))

    # From the company root, without subfolders, the image (in uploads/) is not found.
    shallow = user.service.searchAssets(companyHandle=company_handle, includeSubfolders=False)
    assert IMAGE_NAME not in [a.name for a in _items(shallow.assetArray)]


def test_copy_image_and_get_copy(user, company_handle, folder_handle, asset_handle, copy_handle):
    assert copy_handle and copy_handle != asset_handle
    assets = _items(user.service.getAssets(companyHandle=company_handle, assetHandleArray={"items": [copy_handle]}))
    assert len(assets) == 1, last_exchange(user)
    c = assets[0]
    assert c.assetHandle == copy_handle
    assert c.type == "Image"
    assert c.name == COPY_NAME
    assert c.folderHandle == folder_handle
    assert c.createUser == USER_EMAIL
    assert (c.imageInfo.width, c.imageInfo.height) == (40, 30)
    # Both are visible to search right after the synchronous copy.
    result = user.service.searchAssets(companyHandle=company_handle, folder=folder_handle)
    assert {IMAGE_NAME, COPY_NAME} <= {a.name for a in _items(result.assetArray)}


def test_download_original_and_copy_are_identical(ipsd, jpeg, asset_handle, copy_handle):
    original = requests.get(f"{ipsd.base_url}/is/content/{ROOT_NAME}/{IMAGE_NAME}", timeout=30)
    copy = requests.get(f"{ipsd.base_url}/is/content/{ROOT_NAME}/{COPY_NAME}", timeout=30)
    assert original.status_code == 200, original.text
    assert copy.status_code == 200, copy.text
    assert original.headers["content-type"] == "image/jpeg"
    assert original.content == jpeg
    assert copy.content == original.content


def test_copy_image_name_in_use_is_30001(user, company_handle, folder_handle, asset_handle, copy_handle):
    fault = _expect_fault(
        user.service.copyImage,
        companyHandle=company_handle,
        assetHandle=asset_handle,
        folderHandle=folder_handle,
        name=COPY_NAME,
        urlModifier="",
    )
    kind, code, reason = fault_detail(fault)
    assert (kind, code) == ("ipsApiFault", 30001), last_exchange(user)
    assert fault.message == "IpsApiException"
    assert COPY_NAME in reason


# ---------------------------------------------------------------------------------------------
# older API versions, through their own WSDLs


def test_2008_01_15_namespace(ipsd, company_handle, asset_handle, copy_handle):
    client = make_client(ipsd, USER_EMAIL, USER_PASSWORD, "IpsApi-2008-01-15.wsdl")
    info = client.service.getCompanyInfo(companyName=COMPANY_NAME)
    assert info.rootPath == f"{ROOT_NAME}/"
    ch = info.companyHandle
    result = client.service.searchAssets(companyHandle=ch, folder=f"{ROOT_NAME}/{FOLDER}/")
    by_name = {a.name: a for a in _items(result.assetArray)}
    assert {IMAGE_NAME, COPY_NAME} <= set(by_name), last_exchange(client)
    # Up to 2008-01-15 folder handles are bare paths (ips-soap.md §7.2).
    assert by_name[IMAGE_NAME].folderHandle == f"{ROOT_NAME}/{FOLDER}/"
    # copyImage exactly as in the reference example: root folder as a bare path.
    new = client.service.copyImage(
        companyHandle=ch,
        assetHandle=by_name[IMAGE_NAME].assetHandle,
        folderHandle=f"{ROOT_NAME}/",
        name="interop_copy_2008",
        urlModifier="",
    )
    assets = _items(client.service.getAssets(companyHandle=ch, assetHandleArray={"items": [new]}))
    assert [a.name for a in assets] == ["interop_copy_2008"], last_exchange(client)
    assert assets[0].folder == f"{ROOT_NAME}/"
    fault = _expect_fault(client.service.addCompany, companyName=f"Nope {RUN}")
    assert fault_detail(fault)[:2] == ("authorizationFault", 20003)


def test_base_namespace(ipsd, company_handle, asset_handle):
    client = make_client(ipsd, ADMIN_USER, ADMIN_PASSWORD, "IpsApi.wsdl")
    assert client.service.checkLogin(email=USER_EMAIL, password=USER_PASSWORD) == "ValidLogin"
    info = client.service.getCompanyInfo(companyName=COMPANY_NAME)
    assert info.name == COMPANY_NAME
    result = client.service.searchAssets(companyHandle=info.companyHandle, includeSubfolders=True)
    assert IMAGE_NAME in [a.name for a in _items(result.assetArray)], last_exchange(client)
    fault = _expect_fault(
        make_client(ipsd, ADMIN_USER, "bad", "IpsApi.wsdl").service.checkLogin, email="a", password="b"
    )
    assert fault_detail(fault)[:2] == ("authenticationFault", 10001)
