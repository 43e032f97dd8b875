// Package hugotool pins Hugo, the reference generator that `site bench`
// compares against, in a module of its own so that its ~180 requirements
// stay out of the main module.
package hugotool
