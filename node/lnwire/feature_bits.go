package lnwire

// The feature bits of BOLT 9's table, as Required (even) / Optional (odd)
// pairs. Names follow the spec's; the comments give its context column
// (I: init, N: node_announcement, C: channel_announcement, 9: BOLT 11).
const (
	// DataLossProtectRequired and DataLossProtectOptional: extra
	// channel_reestablish fields (now ASSUMED). IN.
	DataLossProtectRequired FeatureBit = 0
	DataLossProtectOptional FeatureBit = 1

	// InitialRoutingSync asks the peer for a full gossip dump. I, odd only.
	InitialRoutingSync FeatureBit = 3

	// UpfrontShutdownScriptRequired and UpfrontShutdownScriptOptional: commit to
	// a shutdown scriptpubkey at open. IN.
	UpfrontShutdownScriptRequired FeatureBit = 4
	UpfrontShutdownScriptOptional FeatureBit = 5

	// GossipQueriesRequired and GossipQueriesOptional: more sophisticated gossip
	// control (now ASSUMED). IN.
	GossipQueriesRequired FeatureBit = 6
	GossipQueriesOptional FeatureBit = 7

	// VarOnionOptinRequired and VarOnionOptinOptional: variable-length onion
	// payloads (now ASSUMED). IN9.
	VarOnionOptinRequired FeatureBit = 8
	VarOnionOptinOptional FeatureBit = 9

	// GossipQueriesExRequired and GossipQueriesExOptional: gossip queries with
	// additional information. IN.
	GossipQueriesExRequired FeatureBit = 10
	GossipQueriesExOptional FeatureBit = 11

	// StaticRemoteKeyRequired and StaticRemoteKeyOptional: static key for the
	// remote output (now ASSUMED). IN.
	StaticRemoteKeyRequired FeatureBit = 12
	StaticRemoteKeyOptional FeatureBit = 13

	// PaymentSecretRequired and PaymentSecretOptional: the payment_secret onion
	// field. IN9.
	PaymentSecretRequired FeatureBit = 14
	PaymentSecretOptional FeatureBit = 15

	// BasicMPPRequired and BasicMPPOptional: receives basic multi-part payments.
	// IN9.
	BasicMPPRequired FeatureBit = 16
	BasicMPPOptional FeatureBit = 17

	// LargeChannels (option_support_large_channel, "wumbo"). IN.
	LargeChannelsRequired FeatureBit = 18
	LargeChannelsOptional FeatureBit = 19

	// AnchorOutputsRequired and AnchorOutputsOptional: the first anchor
	// commitment format, since retired from BOLT 9 but still understood by lnd.
	// IN.
	AnchorOutputsRequired FeatureBit = 20
	AnchorOutputsOptional FeatureBit = 21

	// AnchorsZeroFeeHTLCTx (now named option_anchors): anchors with zero-fee
	// HTLC transactions. IN.
	AnchorsZeroFeeHTLCTxRequired FeatureBit = 22
	AnchorsZeroFeeHTLCTxOptional FeatureBit = 23

	// RouteBlindingRequired and RouteBlindingOptional: blinded paths. IN9.
	RouteBlindingRequired FeatureBit = 24
	RouteBlindingOptional FeatureBit = 25

	// ShutdownAnySegwitRequired and ShutdownAnySegwitOptional: future segwit
	// versions in shutdown. IN.
	ShutdownAnySegwitRequired FeatureBit = 26
	ShutdownAnySegwitOptional FeatureBit = 27

	// DualFundRequired and DualFundOptional: channel establishment v2. IN.
	DualFundRequired FeatureBit = 28
	DualFundOptional FeatureBit = 29

	// QuiesceRequired and QuiesceOptional: the stfu message. IN.
	QuiesceRequired FeatureBit = 34
	QuiesceOptional FeatureBit = 35

	// AttributionDataRequired and AttributionDataOptional: attribution data on
	// HTLC failures. IN9.
	AttributionDataRequired FeatureBit = 36
	AttributionDataOptional FeatureBit = 37

	// OnionMessagesRequired and OnionMessagesOptional: forwards onion messages.
	// IN.
	OnionMessagesRequired FeatureBit = 38
	OnionMessagesOptional FeatureBit = 39

	// ProvideStorageRequired and ProvideStorageOptional: stores other nodes'
	// encrypted backups. IN.
	ProvideStorageRequired FeatureBit = 42
	ProvideStorageOptional FeatureBit = 43

	// ChannelTypeRequired and ChannelTypeOptional: the channel_type field in
	// open/accept. IN.
	ChannelTypeRequired FeatureBit = 44
	ChannelTypeOptional FeatureBit = 45

	// ScidAliasRequired and ScidAliasOptional: channel aliases for routing. IN.
	ScidAliasRequired FeatureBit = 46
	ScidAliasOptional FeatureBit = 47

	// PaymentMetadataRequired and PaymentMetadataOptional: payment metadata in
	// the onion. 9.
	PaymentMetadataRequired FeatureBit = 48
	PaymentMetadataOptional FeatureBit = 49

	// ZeroConfRequired and ZeroConfOptional: understands zero-conf channel
	// types. IN.
	ZeroConfRequired FeatureBit = 50
	ZeroConfOptional FeatureBit = 51

	// SimpleCloseRequired and SimpleCloseOptional: simplified closing
	// negotiation. IN.
	SimpleCloseRequired FeatureBit = 60
	SimpleCloseOptional FeatureBit = 61

	// SpliceRequired and SpliceOptional: splicing. IN.
	SpliceRequired FeatureBit = 62
	SpliceOptional FeatureBit = 63
)

// featureNames names each pair by its even bit, as BOLT 9 does.
var featureNames = map[FeatureBit]string{
	DataLossProtectRequired:       "option_data_loss_protect",
	2:                             "initial_routing_sync",
	UpfrontShutdownScriptRequired: "option_upfront_shutdown_script",
	GossipQueriesRequired:         "gossip_queries",
	VarOnionOptinRequired:         "var_onion_optin",
	GossipQueriesExRequired:       "gossip_queries_ex",
	StaticRemoteKeyRequired:       "option_static_remotekey",
	PaymentSecretRequired:         "payment_secret",
	BasicMPPRequired:              "basic_mpp",
	LargeChannelsRequired:         "option_support_large_channel",
	AnchorOutputsRequired:         "option_anchor_outputs",
	AnchorsZeroFeeHTLCTxRequired:  "option_anchors_zero_fee_htlc_tx",
	RouteBlindingRequired:         "option_route_blinding",
	ShutdownAnySegwitRequired:     "option_shutdown_anysegwit",
	DualFundRequired:              "option_dual_fund",
	QuiesceRequired:               "option_quiesce",
	AttributionDataRequired:       "option_attribution_data",
	OnionMessagesRequired:         "option_onion_messages",
	ProvideStorageRequired:        "option_provide_storage",
	ChannelTypeRequired:           "option_channel_type",
	ScidAliasRequired:             "option_scid_alias",
	PaymentMetadataRequired:       "option_payment_metadata",
	ZeroConfRequired:              "option_zeroconf",
	SimpleCloseRequired:           "option_simple_close",
	SpliceRequired:                "option_splice",
}

// featureName is the BOLT 9 name of b's pair, or "unknown".
func featureName(b FeatureBit) string {
	if name, ok := featureNames[b.Required()]; ok {
		return name
	}
	return "unknown"
}

// featureDeps lists, by even bit, the features each one depends on (the
// Dependencies column of BOLT 9, including dependencies of the older
// revisions that named var_onion_optin and option_static_remotekey).
//
// BOLT 9, the origin node: MUST set all transitive feature dependencies.
var featureDeps = map[FeatureBit][]FeatureBit{
	GossipQueriesExRequired: {GossipQueriesRequired},
	PaymentSecretRequired:   {VarOnionOptinRequired},
	BasicMPPRequired:        {PaymentSecretRequired},
	AnchorOutputsRequired:   {StaticRemoteKeyRequired},
	ZeroConfRequired:        {ScidAliasRequired},
}

// assumedFeatures are the features BOLT 9 now marks ASSUMED: every node
// has them, so a peer that stops setting their bits still satisfies a
// dependency on them.
//
// BOLT 9: Some features were introduced and became so widespread they are
// `ASSUMED` to be present by all nodes, and can be safely ignored.
var assumedFeatures = []FeatureBit{
	DataLossProtectOptional, GossipQueriesOptional,
	VarOnionOptinOptional, StaticRemoteKeyOptional,
}

// DefaultFeatures is the init vector this node sends. lnd (0.18) refuses
// peers that do not set data_loss_protect, var_onion_optin,
// static_remotekey and payment_secret, so those are required; the rest are
// offered as optional.
func DefaultFeatures() FeatureVector {
	return NewFeatureVector(
		DataLossProtectRequired,
		VarOnionOptinRequired,
		StaticRemoteKeyRequired,
		PaymentSecretRequired,
		GossipQueriesOptional,
		BasicMPPOptional,
		AnchorsZeroFeeHTLCTxOptional,
		ShutdownAnySegwitOptional,
		ChannelTypeOptional,
	)
}
