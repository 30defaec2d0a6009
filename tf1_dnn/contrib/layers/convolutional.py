"""contrib/slim convolution and pooling layers on the `tf.layers` classes
(`Conv1D/2D/3D`, `Conv2DTranspose`, `Conv3DTranspose`, `SeparableConv2D`,
`MaxPooling2D/3D`, `AveragePooling2D/3D`), as TF 1.15's contrib and tf-slim
delegated.

    with slim.arg_scope([slim.conv2d], padding="SAME",
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.repeat(images, 2, slim.conv2d, 64, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")

contrib's conventions (all differ from `tf.layers.conv2d`):
  - variables `<scope>/weights` and `<scope>/biases` (not kernel/bias), also
    in MODEL_VARIABLES; default scopes "Conv", "Conv2d_transpose",
    "SeparableConv2d" (made unique: "Conv_1", ...); a regularizer's loss is
    named `<scope>/kernel/Regularizer/...` (the `tf.layers` name);
  - `activation_fn=tf.nn.relu` by default and `padding="SAME"` by default
    (`tf.layers`: linear and "valid"); pooling defaults to `stride=2`,
    `padding="VALID"`;
  - `data_format` is "NHWC"/"NCHW" (1-D "NWC"/"NCW", 3-D "NDHWC"/"NCDHW");
  - `rate` is the dilation rate; a `normalizer_fn` replaces the biases;
  - `convolution` picks 1-D/2-D/3-D from the input rank, while `conv2d`
    (= `convolution2d`) insists on rank 4 (TF 1.15: `conv_dims=2`).
"""

from tf1_dnn._compat import require_graph, v1
from tf1_dnn.contrib.framework import add_arg_scope
from tf1_dnn.contrib.layers._utils import (WEIGHTS_BIASES,
                                           collect_named_outputs,
                                           finish_layer, input_error,
                                           model_variable_getter,
                                           n_positive_integers,
                                           tf_layers_arguments,
                                           variable_collections)
from tf1_dnn.contrib.variables import model_variable
from tf1_dnn import layers as _tf_layers
from tf1_dnn.initializers import xavier_initializer
from tf1_dnn.errors import InputError

__all__ = ["convolution", "convolution1d", "convolution2d", "convolution3d",
           "conv1d", "conv2d", "conv3d", "convolution2d_transpose",
           "conv2d_transpose", "convolution3d_transpose", "conv3d_transpose",
           "separable_convolution2d", "separable_conv2d", "max_pool2d",
           "avg_pool2d", "max_pool3d", "avg_pool3d", "pool"]

_DATA_FORMATS = (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW")


def _channels(data_format):
    return ("channels_first" if data_format and data_format.startswith("NC")
            else "channels_last")


@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                data_format=None, rate=1, activation_fn=v1.nn.relu,
                normalizer_fn=None, normalizer_params=None,
                weights_initializer=xavier_initializer(),
                weights_regularizer=None,
                biases_initializer=v1.zeros_initializer(),
                biases_regularizer=None, reuse=None,
                variables_collections=None, outputs_collections=None,
                trainable=True, scope=None, conv_dims=None):
    """An N-D convolution (N = 1, 2, 3 from the input rank, or `conv_dims`),
    then `normalizer_fn` or biases, then `activation_fn`.

    Built on `tf.layers.Conv1D/2D/3D`. Variables `<scope>/weights`
    `[*kernel_size, in_channels, num_outputs]` and `<scope>/biases`
    `[num_outputs]` (none with a `normalizer_fn` or without
    `biases_initializer`). Default scope "Conv".

    Args:
      inputs: `[batch, *spatial, channels]` (or channels first with an "NC"
        data format), rank N + 2.
      num_outputs: number of filters.
      kernel_size, stride, rate: an int or N ints; stride > 1 and rate > 1
        cannot be combined.
      padding: "SAME" (default) or "VALID", either case.
      data_format: None/"NWC"/"NHWC"/"NDHWC" (channels last) or the "NC..."
        forms (channels first).
      activation_fn: default ReLU; None for linear.
      normalizer_fn, normalizer_params, weights_initializer,
      weights_regularizer, biases_initializer, biases_regularizer, reuse,
      variables_collections, outputs_collections, trainable, scope: as in
        `fully_connected`.
      conv_dims: 1, 2 or 3 to insist on that many spatial dimensions.

    Raises:
      ValueError: unknown data_format; InputError (a ValueError): an input
        whose rank is not 3, 4 or 5 (or not `conv_dims` + 2).
    """
    require_graph("tf.contrib.layers.convolution")
    if data_format not in _DATA_FORMATS:
        raise InputError(
            f"Invalid data_format: {data_format!r}; use one of "
            f"{list(_DATA_FORMATS[1:])} (or None for channels last).")
    if reuse and scope is None:
        raise InputError("convolution: reuse=True needs scope=... (the name "
                         "of the layer whose variables to reuse).")
    with v1.variable_scope(scope, "Conv", [inputs], reuse=reuse,
                           custom_getter=model_variable_getter(
                               WEIGHTS_BIASES)) as sc:
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        name = f"convolution '{sc.name}'"
        if conv_dims is not None and rank != conv_dims + 2:
            raise input_error(
                name, inputs, f"a {conv_dims}-D convolution expects an input "
                f"of rank {conv_dims + 2}, got rank {rank}",
                f"Reshape to [batch, {', '.join(['size'] * conv_dims)}, "
                "channels] (e.g. tf.reshape(X, [-1, 28, 28, 1]) for MNIST "
                "images and conv2d).")
        classes = {3: "Conv1D", 4: "Conv2D", 5: "Conv3D"}
        if rank not in classes:
            raise input_error(
                name, inputs, "convolution supports inputs of rank 3, 4 or 5 "
                f"(1-D, 2-D or 3-D), got rank {rank}",
                "Give the input a static rank [batch, *spatial, channels].")
        layer = getattr(_tf_layers, classes[rank])(
            filters=num_outputs, kernel_size=kernel_size, strides=stride,
            padding=padding, data_format=_channels(data_format),
            dilation_rate=rate, **tf_layers_arguments(
                sc, inputs, normalizer_fn, weights_initializer,
                weights_regularizer, biases_initializer, biases_regularizer,
                trainable, reuse))
        outputs = layer.apply(inputs)
        return finish_layer(layer, outputs, variables_collections, normalizer_fn,
                       normalizer_params, activation_fn, outputs_collections,
                       sc.name)


def _fixed_dims(conv_dims, doc):
    @add_arg_scope
    def conv(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
             data_format=None, rate=1, activation_fn=v1.nn.relu,
             normalizer_fn=None, normalizer_params=None,
             weights_initializer=xavier_initializer(),
             weights_regularizer=None,
             biases_initializer=v1.zeros_initializer(),
             biases_regularizer=None, reuse=None, variables_collections=None,
             outputs_collections=None, trainable=True, scope=None):
        return convolution(
            inputs, num_outputs, kernel_size, stride=stride, padding=padding,
            data_format=data_format, rate=rate, activation_fn=activation_fn,
            normalizer_fn=normalizer_fn, normalizer_params=normalizer_params,
            weights_initializer=weights_initializer,
            weights_regularizer=weights_regularizer,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer, reuse=reuse,
            variables_collections=variables_collections,
            outputs_collections=outputs_collections, trainable=trainable,
            scope=scope, conv_dims=conv_dims)

    conv.__name__ = conv.__qualname__ = f"convolution{conv_dims}d"
    conv.__doc__ = doc
    return conv


convolution1d = _fixed_dims(1, """`convolution` on a rank-3 input
`[batch, width, channels]` (default scope "Conv"; see `convolution`).""")
convolution2d = _fixed_dims(2, """`convolution` on a rank-4 input
`[batch, height, width, channels]` (NHWC; "NCHW" for channels first).
Default scope "Conv", `activation_fn=tf.nn.relu`, `padding="SAME"`; see
`convolution`. Raises InputError for an input that is not rank 4.""")
convolution3d = _fixed_dims(3, """`convolution` on a rank-5 input
`[batch, depth, height, width, channels]` (see `convolution`).""")
conv1d, conv2d, conv3d = convolution1d, convolution2d, convolution3d


def _transpose(dims):
    default_format = "NHWC" if dims == 2 else "NDHWC"
    formats = ("NCHW", "NHWC") if dims == 2 else ("NCDHW", "NDHWC")

    @add_arg_scope
    def transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                  data_format=default_format, activation_fn=v1.nn.relu,
                  normalizer_fn=None, normalizer_params=None,
                  weights_initializer=xavier_initializer(),
                  weights_regularizer=None,
                  biases_initializer=v1.zeros_initializer(),
                  biases_regularizer=None, reuse=None,
                  variables_collections=None, outputs_collections=None,
                  trainable=True, scope=None):
        require_graph(f"tf.contrib.layers.conv{dims}d_transpose")
        default_scope = f"Conv{dims}d_transpose"
        with v1.variable_scope(scope, default_scope, [inputs], reuse=reuse,
                               custom_getter=model_variable_getter(
                                   WEIGHTS_BIASES)) as sc:
            if data_format not in formats:
                raise InputError(
                    f"data_format has to be either {formats[0]} or "
                    f"{formats[1]}, got {data_format!r}.")
            inputs = v1.convert_to_tensor(inputs)
            if inputs.shape.ndims != dims + 2:
                raise input_error(
                    f"conv{dims}d_transpose '{sc.name}'", inputs,
                    f"expected an input of rank {dims + 2}, got rank "
                    f"{inputs.shape.ndims}",
                    f"Pass [batch, {'depth, ' if dims == 3 else ''}height, "
                    "width, channels].")
            cls = "Conv2DTranspose" if dims == 2 else "Conv3DTranspose"
            layer = getattr(_tf_layers, cls)(
                filters=num_outputs, kernel_size=kernel_size, strides=stride,
                padding=padding, data_format=_channels(data_format),
                **tf_layers_arguments(
                    sc, inputs, normalizer_fn, weights_initializer,
                    weights_regularizer, biases_initializer,
                    biases_regularizer, trainable, reuse))
            outputs = layer.apply(inputs)
            return finish_layer(layer, outputs, variables_collections,
                           normalizer_fn, normalizer_params, activation_fn,
                           outputs_collections, sc.name)

    transpose.__name__ = transpose.__qualname__ = \
        f"convolution{dims}d_transpose"
    transpose.__doc__ = f"""A {dims}-D transposed convolution
    ("deconvolution") on `tf.layers.Conv{dims}DTranspose`; `stride=s` with
    `padding="SAME"` multiplies each spatial size by s. Variables
    `<scope>/weights` `[*kernel_size, num_outputs, in_channels]` and
    `<scope>/biases`; default scope "Conv{dims}d_transpose", default
    `activation_fn=tf.nn.relu`, `padding="SAME"`, data_format
    "{default_format}". Raises InputError for an input not of rank
    {dims + 2}."""
    return transpose


convolution2d_transpose = conv2d_transpose = _transpose(2)
convolution3d_transpose = conv3d_transpose = _transpose(3)


@add_arg_scope
def separable_convolution2d(inputs, num_outputs, kernel_size,
                            depth_multiplier=1, stride=1, padding="SAME",
                            data_format="NHWC", rate=1,
                            activation_fn=v1.nn.relu, normalizer_fn=None,
                            normalizer_params=None,
                            weights_initializer=xavier_initializer(),
                            pointwise_initializer=None,
                            weights_regularizer=None,
                            biases_initializer=v1.zeros_initializer(),
                            biases_regularizer=None, reuse=None,
                            variables_collections=None,
                            outputs_collections=None, trainable=True,
                            scope=None):
    """A depthwise-separable 2-D convolution (default scope
    "SeparableConv2d").

    With `num_outputs`: `tf.layers.SeparableConv2D`, variables
    `depthwise_weights` `[kh, kw, in, depth_multiplier]`,
    `pointwise_weights` `[1, 1, in * depth_multiplier, num_outputs]`,
    `biases`. With `num_outputs=None`: only the depthwise convolution
    (`tf.nn.depthwise_conv2d`), variables `depthwise_weights` and `biases`
    `[in * depth_multiplier]`.

    Caveat: `pointwise_initializer=None` means "same as
    `weights_initializer`" (TF 1.15), and `weights_regularizer` applies to
    both kernels.
    """
    require_graph("tf.contrib.layers.separable_conv2d")
    if data_format not in ("NCHW", "NHWC"):
        raise InputError(
            f"data_format has to be either NCHW or NHWC, got {data_format!r}.")
    rename = {"bias": "biases", "depthwise_kernel": "depthwise_weights",
              "pointwise_kernel": "pointwise_weights"}
    with v1.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse,
                           custom_getter=model_variable_getter(rename)) as sc:
        inputs = v1.convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise input_error(
                f"separable_conv2d '{sc.name}'", inputs,
                f"expected an input of rank 4, got rank {inputs.shape.ndims}",
                "Pass [batch, height, width, channels].")
        if pointwise_initializer is None:
            pointwise_initializer = weights_initializer
        df = _channels(data_format)
        if num_outputs is not None:
            layer = _tf_layers.SeparableConv2D(
                filters=num_outputs, kernel_size=kernel_size, strides=stride,
                padding=padding, data_format=df,
                dilation_rate=n_positive_integers(2, rate), activation=None,
                depth_multiplier=depth_multiplier,
                use_bias=bool(not normalizer_fn and biases_initializer),
                depthwise_initializer=weights_initializer,
                pointwise_initializer=pointwise_initializer,
                bias_initializer=biases_initializer,
                depthwise_regularizer=weights_regularizer,
                pointwise_regularizer=weights_regularizer,
                bias_regularizer=biases_regularizer,
                activity_regularizer=None, trainable=trainable, name=sc.name,
                dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)
            outputs = layer.apply(inputs)
            return finish_layer(layer, outputs, variables_collections,
                           normalizer_fn, normalizer_params, activation_fn,
                           outputs_collections, sc.name,
                           kernels=("depthwise_kernel", "pointwise_kernel"))
        dtype = inputs.dtype.base_dtype
        kh, kw = n_positive_integers(2, kernel_size)
        sh, sw = n_positive_integers(2, stride)
        channel_axis = 1 if data_format.startswith("NC") else 3
        n_in = v1.dimension_value(inputs.shape[channel_axis])
        if n_in is None:
            raise input_error(f"separable_conv2d '{sc.name}'", inputs,
                              "the channel dimension must be known",
                              "Give the input a static channel dimension.")
        depthwise = model_variable(
            "depthwise_weights", shape=[kh, kw, n_in, depth_multiplier],
            dtype=dtype, initializer=weights_initializer,
            regularizer=weights_regularizer, trainable=trainable,
            collections=variable_collections(variables_collections,
                                             "weights"))
        strides = [1, 1, sh, sw] if data_format.startswith("NC") else \
            [1, sh, sw, 1]
        outputs = v1.nn.depthwise_conv2d(
            inputs, depthwise, strides, padding.upper(),
            rate=n_positive_integers(2, rate), data_format=data_format)
        num_outputs = depth_multiplier * n_in
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        elif biases_initializer is not None:
            biases = model_variable(
                "biases", shape=[num_outputs], dtype=dtype,
                initializer=biases_initializer, regularizer=biases_regularizer,
                trainable=trainable,
                collections=variable_collections(variables_collections,
                                                 "biases"))
            outputs = v1.nn.bias_add(outputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


separable_conv2d = separable_convolution2d


def _pooling(kind, dims):
    default_format = "NHWC" if dims == 2 else "NDHWC"
    formats = ("NCHW", "NHWC") if dims == 2 else ("NCDHW", "NDHWC")
    op = "MaxPool" if kind == "max" else "AvgPool"
    cls = ("MaxPooling" if kind == "max" else "AveragePooling") + f"{dims}D"

    @add_arg_scope
    def pool_fn(inputs, kernel_size, stride=2, padding="VALID",
                data_format=default_format, outputs_collections=None,
                scope=None):
        if data_format not in formats:
            raise InputError(
                f"data_format has to be either {formats[0]} or {formats[1]}, "
                f"got {data_format!r}.")
        with v1.name_scope(scope, f"{op}{dims}D", [inputs]) as sc:
            inputs = v1.convert_to_tensor(inputs)
            if inputs.shape.ndims != dims + 2:
                raise input_error(
                    f"{kind}_pool{dims}d '{sc}'", inputs,
                    f"expected an input of rank {dims + 2}, got rank "
                    f"{inputs.shape.ndims}",
                    "Pass [batch, *spatial, channels].")
            layer = getattr(_tf_layers, cls)(
                pool_size=kernel_size, strides=stride, padding=padding,
                data_format=_channels(data_format), _scope=sc)
            outputs = layer.apply(inputs)
            return collect_named_outputs(outputs_collections, sc, outputs)

    pool_fn.__name__ = pool_fn.__qualname__ = f"{kind}_pool{dims}d"
    pool_fn.__doc__ = f"""{dims}-D {kind} pooling on `tf.layers.{cls}`
    (name scope "{op}{dims}D").

    Caveat: contrib's defaults are `stride=2` and `padding="VALID"`
    (`tf.layers` pooling has no default stride).

    Args:
      inputs: rank-{dims + 2} tensor, channels last ("{default_format}") or
        first ("{formats[0]}").
      kernel_size, stride: an int or {dims} ints.
      padding: "VALID" (default) or "SAME".
    """
    return pool_fn


max_pool2d = _pooling("max", 2)
avg_pool2d = _pooling("avg", 2)
max_pool3d = _pooling("max", 3)
avg_pool3d = _pooling("avg", 3)


@add_arg_scope
def pool(inputs, kernel_size, pooling_type, padding="VALID", data_format=None,
         dilation_rate=1, stride=1, outputs_collections=None, scope=None):
    """N-D pooling with `tf.nn.pool` (`pooling_type` "MAX" or "AVG"); name
    scope "<type>_pool"."""
    with v1.name_scope(scope, f"{pooling_type.lower()}_pool",
                       [inputs]) as sc:
        inputs = v1.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None or rank < 3:
            raise input_error("pool", inputs, "the rank must be known and "
                              ">= 3", "Pass [batch, *spatial, channels].")
        n = rank - 2
        outputs = v1.nn.pool(
            input=inputs, window_shape=n_positive_integers(n, kernel_size),
            pooling_type=pooling_type, padding=padding,
            data_format=data_format,
            dilation_rate=n_positive_integers(n, dilation_rate),
            strides=n_positive_integers(n, stride), name=sc)
        return collect_named_outputs(outputs_collections, sc, outputs)
