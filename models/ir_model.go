package models

// fieldTypes are ir.model.fields' ttype values.
var fieldTypes = [][2]string{
	{"binary", "binary"}, {"boolean", "boolean"}, {"char", "char"}, {"date", "date"}, {"datetime", "datetime"},
	{"float", "float"}, {"html", "html"}, {"integer", "integer"}, {"many2many", "many2many"},
	{"many2one", "many2one"}, {"monetary", "monetary"}, {"one2many", "one2many"}, {"selection", "selection"},
	{"text", "text"},
}

// irMetaAccess: internal users read the metadata; no one changes it over
// RPC (SyncIrModel maintains it).
func irMetaAccess() map[Op][]string {
	return map[Op][]string{OpRead: {groupUser}}
}

// irModelModel describes ir.model ("Models"), which clients probe
// (odoorpc: ir.model search [('model', '=', name)]).
func irModelModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Model Description", Column: "name", Required: true, Translate: true},
		{Name: "model", Type: Char, String: "Model", Column: "model", Required: true},
		{Name: "info", Type: Text, String: "Information", Column: "info"},
		{Name: "field_id", Type: One2many, String: "Fields", Relation: "ir.model.fields", RelationField: "model_id"},
		{Name: "state", Type: Selection, String: "Type", Column: "state",
			Selection: [][2]string{{"manual", "Custom Object"}, {"base", "Base Object"}}, Default: constant("manual")},
		{Name: "transient", Type: Boolean, String: "Transient Model", Column: "transient"},
	}
	return &Model{
		Name:        "ir.model",
		Description: "Models",
		Table:       "ir_model",
		Order:       "model",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      irMetaAccess(),
	}
}

// irModelFieldsModel describes ir.model.fields ("Fields").
func irModelFieldsModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Field Name", Column: "name", Required: true},
		{Name: "model", Type: Char, String: "Model Name", Column: "model", Required: true,
			Help: "The technical name of the model this field belongs to"},
		{Name: "relation", Type: Char, String: "Related Model", Column: "relation",
			Help: "For relationship fields, the technical name of the target model"},
		{Name: "model_id", Type: Many2one, String: "Model", Column: "model_id", Relation: "ir.model", Required: true,
			OnDelete: "cascade", Help: "The model this field belongs to"},
		{Name: "field_description", Type: Char, String: "Field Label", Column: "field_description", Required: true,
			Translate: true},
		{Name: "ttype", Type: Selection, String: "Field Type", Column: "ttype", Required: true, Selection: fieldTypes},
		{Name: "required", Type: Boolean, String: "Required", Column: "required"},
		{Name: "readonly", Type: Boolean, String: "Readonly", Column: "readonly"},
		{Name: "store", Type: Boolean, String: "Stored", Column: "store", Default: constant(true),
			Help: "Whether the value is stored in the database."},
	}
	return &Model{
		Name:        "ir.model.fields",
		Description: "Fields",
		Table:       "ir_model_fields",
		Order:       "name",
		RecName:     "field_description",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      irMetaAccess(),
	}
}
