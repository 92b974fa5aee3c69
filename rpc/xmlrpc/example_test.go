package xmlrpc_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc/xmlrpc"
)

func ExampleDecodeCall() {
	body := `<?xml version='1.0'?>
<methodCall>
<methodName>execute_kw</methodName>
<params>
<param><value><string>peer</string></value></param>
<param><value><int>2</int></value></param>
<param><value><array><data>
<value><array><data><value>points</value><value>&gt;</value><value><double>0.5</double></value></data></array></value>
</data></array></value></param>
</params>
</methodCall>`
	method, params, err := xmlrpc.DecodeCall(strings.NewReader(body), xmlrpc.Limits{})
	if err != nil {
		panic(err)
	}
	fmt.Println(method)
	for _, p := range params {
		fmt.Printf("%T %v\n", p, p)
	}
	// Output:
	// execute_kw
	// string peer
	// int64 2
	// []interface {} [[points > 0.5]]
}

func ExampleEncodeResponse() {
	rows := []*models.Dict{models.D("id", 1, "program_id", []any{4, "10% Discount"}, "partner_id", false, "points", 1.0)}
	if err := xmlrpc.EncodeResponse(os.Stdout, rows); err != nil {
		panic(err)
	}
	// A method that returned None cannot be marshalled; nothing is written.
	err := xmlrpc.EncodeResponse(os.Stdout, models.D("id", nil))
	fmt.Println(errors.Is(err, xmlrpc.ErrNone), err)
	// Output:
	// <?xml version='1.0'?>
	// <methodResponse>
	// <params>
	// <param>
	// <value><array><data>
	// <value><struct>
	// <member>
	// <name>id</name>
	// <value><int>1</int></value>
	// </member>
	// <member>
	// <name>program_id</name>
	// <value><array><data>
	// <value><int>4</int></value>
	// <value><string>10% Discount</string></value>
	// </data></array></value>
	// </member>
	// <member>
	// <name>partner_id</name>
	// <value><boolean>0</boolean></value>
	// </member>
	// <member>
	// <name>points</name>
	// <value><double>1.0</double></value>
	// </member>
	// </struct></value>
	// </data></array></value>
	// </param>
	// </params>
	// </methodResponse>
	// true TypeError: cannot marshal None unless allow_none is enabled
}

func ExampleEncodeFault() {
	if err := xmlrpc.EncodeFault(os.Stdout, 3, "Access Denied"); err != nil {
		panic(err)
	}
	// Output:
	// <?xml version='1.0'?>
	// <methodResponse>
	// <fault>
	// <value><struct>
	// <member>
	// <name>faultCode</name>
	// <value><int>3</int></value>
	// </member>
	// <member>
	// <name>faultString</name>
	// <value><string>Access Denied</string></value>
	// </member>
	// </struct></value>
	// </fault>
	// </methodResponse>
}
