"""Drives a running loyaltyd with clients nobody on this project wrote.

Usage: compat.py URL DB LOGIN PASSWORD [odoorpc]

Uses Python's stdlib xmlrpc.client exactly as Odoo's external API
documentation shows, and (with the "odoorpc" argument) the odoorpc library
over JSON-RPC. Each check prints a line; the last line is "N passed, M failed".
Exits 1 when a check failed.
"""
import sys
import traceback
import urllib.parse
import xmlrpc.client

url, db, login, password = sys.argv[1:5]
use_odoorpc = len(sys.argv) > 5 and sys.argv[5] == "odoorpc"
passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print("ok    " + name)
    except Exception:
        failed += 1
        print("FAIL  " + name)
        traceback.print_exc(file=sys.stdout)


def expect_fault(code, contains, fn):
    try:
        fn()
    except xmlrpc.client.Fault as f:
        assert f.faultCode == code, (f.faultCode, f.faultString)
        assert contains in f.faultString, f.faultString
        return
    raise AssertionError("no fault")


common = xmlrpc.client.ServerProxy("{}/xmlrpc/2/common".format(url))
models = xmlrpc.client.ServerProxy("{}/xmlrpc/2/object".format(url))
state = {}


def version():
    v = common.version()
    assert v["server_version"] == "17.0", v
    assert v["server_version_info"] == [17, 0, 0, "final", 0, ""], v
    assert v["protocol_version"] == 1
    assert set(v) == {"server_version", "server_version_info", "server_serie", "protocol_version"}


def authenticate():
    uid = common.authenticate(db, login, password, {})
    assert isinstance(uid, int) and uid > 0, uid
    state["uid"] = uid
    assert common.login(db, login, password) == uid
    assert common.authenticate(db, login, "wrong-password", {}) is False


def kw(model, method, args, kwargs=None):
    return models.execute_kw(db, state["uid"], password, model, method, args, kwargs or {})


def seed():
    pid = kw("res.partner", "create", [{"name": "Compat Customer", "email": "c@example.com"}])
    assert isinstance(pid, int)
    prog = kw("loyalty.program", "create", [{"name": "Compat Loyalty", "program_type": "loyalty"}])
    ids = kw("loyalty.card", "create", [[
        {"program_id": prog, "partner_id": pid, "code": "COMPAT-1", "points": 12.5},
        {"program_id": prog, "partner_id": pid, "code": "COMPAT-2", "points": 0.1},
    ]])
    assert isinstance(ids, list) and len(ids) == 2, ids
    state.update(partner=pid, program=prog, cards=ids)


def search_read_by_partner():
    rows = kw("loyalty.card", "search_read", [[["partner_id", "=", state["partner"]]]],
              {"fields": ["code", "points"], "limit": 5})
    assert [r["code"] for r in rows] == ["COMPAT-1", "COMPAT-2"], rows
    assert rows[0]["points"] == 12.5 and isinstance(rows[0]["points"], float)
    assert set(rows[0]) == {"id", "code", "points"}, rows[0]


def read_many2one():
    rows = kw("loyalty.card", "read", [state["cards"][:1]], {"fields": ["partner_id", "program_id", "expiration_date"]})
    assert rows[0]["partner_id"] == [state["partner"], "Compat Customer"], rows
    assert rows[0]["program_id"][0] == state["program"]
    assert rows[0]["expiration_date"] is False


def write_and_count():
    assert kw("loyalty.card", "write", [[state["cards"][1]], {"points": 7}]) is True
    n = kw("loyalty.card", "search_count", [[["points", ">", 5]]])
    assert n == 2, n
    assert kw("loyalty.card", "search", [[["code", "ilike", "compat"]]], {"order": "points desc"}) == state["cards"]


def name_search_and_fields_get():
    res = kw("loyalty.program", "name_search", ["Compat"])
    assert res == [[state["program"], "Compat Loyalty"]], res
    fg = kw("loyalty.card", "fields_get", [], {"attributes": ["string", "type", "relation"]})
    assert fg["partner_id"] == {"string": "Customer", "type": "many2one", "relation": "res.partner"} or \
        fg["partner_id"]["relation"] == "res.partner", fg["partner_id"]


def faults():
    expect_fault(3, "Access Denied", lambda: models.execute_kw(db, state["uid"], "bad", "loyalty.card", "search", [[]]))
    expect_fault(2, "Object no.such.model doesn't exist", lambda: kw("no.such.model", "search", [[]]))
    expect_fault(4, "Private methods", lambda: kw("loyalty.card", "_private", [[]]))
    expect_fault(1, "does not exist on the model", lambda: kw("loyalty.card", "no_such_method", [[]]))
    expect_fault(1, "Invalid field", lambda: kw("loyalty.card", "search", [[["nope", "=", 1]]]))


def legacy_path():
    old = xmlrpc.client.ServerProxy("{}/xmlrpc/object".format(url))
    try:
        old.execute_kw(db, state["uid"], password, "no.such.model", "search", [[]])
    except xmlrpc.client.Fault as f:
        assert f.faultCode.startswith("warning -- UserError"), f.faultCode
        return
    raise AssertionError("no fault")


def db_service():
    dbs = xmlrpc.client.ServerProxy("{}/xmlrpc/2/db".format(url))
    assert db in dbs.list()
    assert dbs.server_version() == "17.0"
    assert dbs.db_exist(db) is True


def unlink_partner():
    pid = kw("res.partner", "create", [{"name": "To Delete"}])
    assert kw("res.partner", "unlink", [[pid]]) is True
    assert kw("res.partner", "read", [[pid]], {"fields": ["name"]}) == []


for name, fn in [("version", version), ("authenticate", authenticate), ("seed", seed),
                 ("search_read by partner", search_read_by_partner), ("read many2one", read_many2one),
                 ("write and count", write_and_count), ("name_search and fields_get", name_search_and_fields_get),
                 ("faults", faults), ("legacy /xmlrpc path", legacy_path), ("db service", db_service),
                 ("unlink partner", unlink_partner)]:
    check("xmlrpc.client: " + name, fn)

if use_odoorpc:
    import odoorpc

    def odoorpc_session():
        u = urllib.parse.urlparse(url)
        odoo = odoorpc.ODOO(u.hostname, port=u.port)
        assert odoo.version == "17.0", odoo.version
        assert db in odoo.db.list()
        odoo.login(db, login, password)
        assert "loyalty.card" in odoo.env
        Card = odoo.env["loyalty.card"]
        ids = Card.search([("partner_id", "=", state["partner"])])
        assert ids == state["cards"], ids
        card = Card.browse(ids[0])
        assert card.code == "COMPAT-1", card.code
        assert card.points == 12.5, card.points
        assert card.partner_id.name == "Compat Customer"
        new = Card.create({"program_id": state["program"], "partner_id": state["partner"], "code": "COMPAT-3"})
        Card.browse(new).write({"points": 3.25})
        assert Card.read(new, ["points"])[0]["points"] == 3.25
        assert odoo.execute_kw("loyalty.card", "search_count", [[["code", "=like", "COMPAT-%"]]]) == 3
        try:
            odoo.execute("no.such.model", "search", [])
        except odoorpc.error.RPCError as e:
            assert "doesn't exist" in str(e), str(e)
        else:
            raise AssertionError("no error")
        odoo.logout()

    check("odoorpc: session, browse, create, write", odoorpc_session)

print("{} passed, {} failed".format(passed, failed))
sys.exit(1 if failed else 0)
