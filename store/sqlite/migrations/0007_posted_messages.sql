-- The daily limit counts messages, not deliveries: a story's later outlets
-- (of any subscription of the channel) and a changed article edit a
-- message an earlier delivery posted. This finds that earlier delivery.
CREATE INDEX deliveries_posted_message ON deliveries (message_id) WHERE state = 'posted';
