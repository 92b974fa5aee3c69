package models

// resCompanyModel describes res.company ("Companies"); one company (id 1)
// is seeded.
func resCompanyModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Company Name", Column: "name", Required: true},
		{Name: "currency_id", Type: Many2one, String: "Currency", Column: "currency_id", Relation: "res.currency",
			Required: true, Default: constant(int64(1))},
	}
	return &Model{
		Name:        "res.company",
		Description: "Companies",
		Table:       "res_company",
		Order:       "name",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access: map[Op][]string{
			OpRead:   {groupUser, groupPosUser},
			OpWrite:  {groupSystem},
			OpCreate: {groupSystem},
			OpUnlink: {groupSystem},
		},
	}
}
