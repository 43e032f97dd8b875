package requests

import (
	"strings"

	"pelqim/content"
)

// The pages and the email are in the request's language, in the words of
// the theme's string tables (themes/default/i18n/*.yaml), which the site's
// own data-request form uses too: `go run ./cmd/site generate` copies
// their req_ strings, months and date_format into content.Text, and a test
// checks that every key used here is there in every language.

// tr is the theme's string key in lang, with each placeholder replaced by
// its value, in pairs: tr(lang, "req_due", "{due}", date).
func tr(lang, key string, placeholderValue ...string) string {
	s := content.Text[lang][key]
	if len(placeholderValue) == 0 {
		return s
	}
	return strings.NewReplacer(placeholderValue...).Replace(s)
}

// language is a query's lang if the site has it, else the site's default.
func language(lang string) string {
	if content.IsLanguage(lang) {
		return lang
	}
	return content.DefaultLanguage
}
