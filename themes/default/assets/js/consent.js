// The consent banner. (Placeholder until the banner lands: it shows nothing
// and sets nothing, which is what a page must do before consent.)
