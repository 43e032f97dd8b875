package main

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
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

// contentTypes labels the files outside assets/ (pages, sitemap, robots,
// and whatever the build may add): set here, not guessed from the upload
// machine's MIME tables, so a page is text/html; charset=utf-8 wherever the
// deploy runs.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".xml":         "application/xml",
	".txt":         "text/plain; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".ico":         "image/x-icon",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".webp":        "image/webp",
	".pdf":         "application/pdf",
}

// contentType is the Content-Type of a bucket key, "" if unknown.
func contentType(key string) string {
	return contentTypes[strings.ToLower(path.Ext(key))]
}

// Plan is what a deploy does besides uploading every asset.
type Plan struct {
	Upload      []string // bucket keys outside assets/ that are new or changed
	Delete      []string // bucket keys outside assets/ that left the build
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

// makePlan compares the build with the bucket by content (MD5 and ETag).
// Outside assets/, what is new or changed is uploaded and what left the
// build is deleted. Only pages that visitors may hold in a cache need
// invalidating: changed or deleted HTML. New pages were never cached, and
// assets never change under one name.
func makePlan(local map[string]string, remote []Object, now time.Time) Plan {
	var p Plan
	inBucket := map[string]bool{}
	for _, o := range remote {
		inBucket[o.Key] = true
		sum, built := local[o.Key]
		changed := !built || strings.Trim(o.ETag, `"`) != sum // a multipart ETag is no MD5: changed
		switch {
		case strings.HasPrefix(o.Key, AssetPrefix):
			if !built && now.Sub(o.LastModified) > keepAssets {
				p.StaleAssets = append(p.StaleAssets, o.Key)
			}
			continue
		case !built:
			p.Delete = append(p.Delete, o.Key)
		case changed:
			p.Upload = append(p.Upload, o.Key)
		}
		if changed && strings.HasSuffix(o.Key, ".html") {
			p.Invalidate = append(p.Invalidate, pagePaths(o.Key)...)
		}
	}
	for k := range local {
		if !inBucket[k] && !strings.HasPrefix(k, AssetPrefix) {
			p.Upload = append(p.Upload, k)
		}
	}
	slices.Sort(p.Upload)
	slices.Sort(p.Delete)
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
