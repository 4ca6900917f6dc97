"""Notice sheets (公示单) as PDF; depends on nothing in kiosk/ but its leaves."""
