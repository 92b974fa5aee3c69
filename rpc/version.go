package rpc

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// versionInfo is what common.version() and /web/webclient/version_info say.
type versionInfo struct {
	serverVersion string // "17.0"
	serie         string // "17.0"
	major, minor  int
	info          []any // [17, 0, 0, "final", 0, ""]
}

var versionRe = regexp.MustCompile(`^(?:saas~)?(\d+)\.(\d+)`)

// parseVersion accepts "17.0", "18.0", "16.0+e", "saas~17.1" and the like.
func parseVersion(s string) (versionInfo, error) {
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return versionInfo{}, fmt.Errorf("rpc: cannot parse server version %q (want e.g. 17.0)", s)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major < 16 || major > 19 {
		return versionInfo{}, fmt.Errorf("rpc: server version %q: only 16.0 to 19.0 are supported", s)
	}
	return versionInfo{
		serverVersion: s, serie: m[0], major: major, minor: minor,
		info: []any{major, minor, 0, "final", 0, ""},
	}, nil
}

func (v versionInfo) dict() *models.Dict {
	return models.D("server_version", v.serverVersion, "server_version_info", v.info,
		"server_serie", v.serie, "protocol_version", 1)
}
