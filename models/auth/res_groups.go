package auth

import "github.com/odoo-loyalty/loyaltyd/models"

// groupsModel describes res.groups. The groups are seed data (the four
// groups the access rules know), so no one may create or delete them; the
// system group may rename them or change their members.
func groupsModel() *models.Model {
	return &models.Model{
		Name:        "res.groups",
		Description: "Access Groups",
		Table:       "res_groups",
		Order:       "name",
		Fields: []*models.Field{
			{Name: "name", Type: models.Char, String: "Name", Column: "name", Required: true},
			{
				Name: "full_name", Type: models.Char, String: "Group Name", Readonly: true,
				Depends: []string{"name", "category"},
				Compute: computeFullName,
			},
			{
				Name: "users", Type: models.Many2many, String: "Users", Relation: "res.users",
				RelTable: "res_groups_users_rel", RelColumn1: "gid", RelColumn2: "uid",
			},
			// category stands in for Odoo's category_id (a many2one to
			// ir.module.category this server does not serve); full_name
			// needs it. Hidden from clients by a group no one has.
			{
				Name: "category", Type: models.Char, String: "Application", Column: "category",
				Readonly: true, Groups: "base.group_no_one",
			},
		},
		Access: map[models.Op][]string{
			models.OpRead:  {GroupUser},
			models.OpWrite: {GroupSystem},
		},
	}
}

// computeFullName is Odoo 17's "Category / Name" (the name alone for a
// group without a category).
func computeFullName(_ *models.Env, rows []models.Row) ([]any, error) {
	out := make([]any, len(rows))
	for i, r := range rows {
		name, _ := r["name"].(string)
		if cat, _ := r["category"].(string); cat != "" {
			name = cat + " / " + name
		}
		out[i] = name
	}
	return out, nil
}
