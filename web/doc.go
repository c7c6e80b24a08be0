// Package web holds the page (index.html, app.js, style.css) and the Web
// Worker script that hosts the wasm engine; embed.go exposes them to server.
package web
