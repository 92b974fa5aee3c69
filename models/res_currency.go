package models

// resCurrencyModel describes res.currency ("Currency"); USD (id 1) is
// seeded.
func resCurrencyModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Currency", Column: "name", Required: true, Size: 3,
			Help: "Currency Code (ISO 4217)"},
		{Name: "symbol", Type: Char, String: "Symbol", Column: "symbol", Required: true,
			Help: "Currency sign, to be used when printing amounts."},
		{Name: "position", Type: Selection, String: "Symbol Position", Column: "position",
			Selection: [][2]string{{"after", "After Amount"}, {"before", "Before Amount"}}, Default: constant("after"),
			Help: "Determines where the currency symbol should be placed after or before the amount."},
		{Name: "decimal_places", Type: Integer, String: "Decimal Places", Column: "decimal_places",
			Default: constant(int64(2))},
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
	}
	return &Model{
		Name:        "res.currency",
		Description: "Currency",
		Table:       "res_currency",
		Order:       "active desc, name",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access: map[Op][]string{
			OpRead:   {groupUser, groupPosUser},
			OpWrite:  {groupSystem},
			OpCreate: {groupSystem},
			OpUnlink: {groupSystem},
		},
	}
}
