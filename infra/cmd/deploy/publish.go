package main

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Cache-Control per kind of file. Assets carry their content hash in the
// name, so they never change; everything else may change on any deploy.
const (
	AssetPrefix  = "assets/"
	AssetCaching = "public, max-age=31536000, immutable"
	PageCaching  = "public, max-age=300"
)

// keepAssets is how long a hashed asset stays after leaving the build, so
// pages still cached in browsers (5 minutes) and old tabs find their CSS/JS.
const keepAssets = 7 * 24 * time.Hour

// maxPaths is where listing paths one by one stops paying off: past it, one
// "/*" invalidation costs the same as one path (1,000 paths a month are free).
const maxPaths = 100

// Object is one key of the site bucket, as list-objects-v2 reports it.
type Object struct {
	Key          string
	ETag         string // MD5 of the content, quoted, for single-part SSE-S3 uploads
	LastModified time.Time
}

// Plan is what a deploy does besides copying files.
type Plan struct {
	Invalidate  []string // URL paths of changed or deleted pages
	StaleAssets []string // bucket keys of assets gone from the build long enough
}

// localFiles maps each file under dir (slash-separated key) to its MD5 in hex.
func localFiles(dir string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := md5.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return files, err
}

// makePlan compares the build with the bucket. Only pages that visitors may
// hold in a cache need invalidating: changed or deleted HTML. New pages were
// never cached, and assets never change under one name.
func makePlan(local map[string]string, remote []Object, now time.Time) Plan {
	var p Plan
	for _, o := range remote {
		sum, built := local[o.Key]
		switch {
		case strings.HasPrefix(o.Key, AssetPrefix):
			if !built && now.Sub(o.LastModified) > keepAssets {
				p.StaleAssets = append(p.StaleAssets, o.Key)
			}
		case strings.HasSuffix(o.Key, ".html") && (!built || strings.Trim(o.ETag, `"`) != sum):
			p.Invalidate = append(p.Invalidate, pagePaths(o.Key)...)
		}
	}
	slices.Sort(p.Invalidate)
	slices.Sort(p.StaleAssets)
	if len(p.Invalidate) > maxPaths {
		p.Invalidate = []string{"/*"}
	}
	return p
}

// pagePaths are the URL paths under which CloudFront may cache a page file:
// sq/privatesia/index.html is visited as /sq/privatesia/, which the router
// function turns into /sq/privatesia/index.html before the cache lookup;
// both are listed so the invalidation does not depend on that detail.
func pagePaths(key string) []string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := "/" + strings.Join(segs, "/")
	if dir, ok := strings.CutSuffix(p, "/index.html"); ok {
		return []string{dir + "/", p}
	}
	return []string{p}
}
