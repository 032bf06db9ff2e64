"""The kiosk fleet: enrollment with one-time codes, device keys, heartbeats, the content manifest
kiosks poll, their usage events and the proof-of-play counts made from them.

Fleet sits above content: it is where kiosks meet the server, so it answers them with content's
newest version (and a sync_now on a heartbeat when they lag), names them after content's kiosk
points and counts the promotions they play. Content (the draft, versions, blobs, the editor)
knows nothing of kiosks, so editing and publishing need no fleet; the editor's play totals reach
it through `server.content.promotions.register_play_totals`."""
